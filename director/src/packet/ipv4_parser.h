// Parses what NFQUEUE hands the director: an IPv4 packet starting at the IP header (no link-layer
// header). Pure and total: no allocation, no exceptions, every read is bounds-checked first, and
// every input — however malformed — yields either a ParsedPacket or one ParseError.
//
// Choices, and why:
// - The IPv4 header checksum is not verified by default: ip_rcv_core() has already dropped bad
//   headers before any netfilter hook, so every queued packet passed that check and redoing it
//   costs a pass over the header per packet. ParseOptions::verify_header_checksum turns it on
//   for sources the kernel has not checked.
// - TCP/UDP checksums are never verified: under direct routing the packet goes out unchanged and
//   the real server's stack verifies them (IPVS does not check them for DR either).
// - Fragments: IPVS schedules by the first fragment's ports. A first fragment (offset 0, MF set)
//   is parsed like any packet and marked `more_fragments`. A non-first fragment has no L4 header
//   and is refused with ParseError::Fragment, so the data path counts it and drops it. Passing it
//   (NF_ACCEPT) instead would only hand it to the director's own stack, which holds the VIP and
//   would hold it in reassembly until it times out. In practice few arrive: a `tcp dport`/`udp
//   dport` rule never matches a non-first fragment, and with conntrack loaded nf_defrag_ipv4
//   reassembles before the queue rule sees anything.
// - Bytes captured beyond the IP total length (link padding) are not part of the packet:
//   forward `bytes.first(ip_total_length)`.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "conn/tcp_state.h"  // TcpFlags
#include "model/packet_info.h"
#include "packet/ipv4_header.h"
#include "packet/parse_error.h"

namespace lvs {

inline constexpr std::size_t kTcpMinHeaderLength = 20;
inline constexpr std::size_t kUdpHeaderLength = 8;

struct ParsedPacket {
  PacketInfo info;                    // protocol, addresses and ports in host byte order
  TcpFlags tcp_flags;                 // SYN/ACK/FIN/RST; all false for UDP
  std::uint16_t ip_total_length = 0;  // the IPv4 total length field: the packet's size in bytes
  std::uint16_t l4_offset = 0;        // where the TCP/UDP header starts (IHL * 4)
  bool more_fragments = false;        // a first fragment (MF set): the rest of the datagram
                                      // follows in fragments this parser refuses
};

struct ParseOptions {
  bool verify_header_checksum = false;  // see the file comment: the kernel already did
};

struct ParseResult {
  ParsedPacket packet;              // meaningful only when ok()
  std::optional<ParseError> error;  // set when the packet was refused
  bool ok() const { return !error.has_value(); }
};

ParseResult parse_ipv4_packet(std::span<const std::uint8_t> bytes, ParseOptions options = {});

}  // namespace lvs
