// Ethernet + ARP (RFC 826) for IPv4 over Ethernet: parse what an AF_PACKET/ETH_P_ARP socket
// receives, and build the frames the director sends (requests, replies, unicast probes,
// gratuitous ARP and RFC 5227 address probes with sender 0.0.0.0).
//
// Parsing is total: every input, however short or malformed, yields an ArpPacket or one
// ArpParseError, with every read bounds-checked first; the caller counts errors and drops the
// frame. The checks are arp_rcv()'s and arp_process()'s: hardware type Ethernet (or IEEE 802,
// which Linux also takes), protocol IPv4, address lengths 6 and 4, opcode request or reply.
// Bytes after the 28-byte ARP body (Ethernet padding to 60 bytes, an FCS) are ignored.
// 802.1Q-tagged frames are not ARP here: AF_PACKET delivers them untagged (the tag goes to
// auxdata) on the interfaces the director uses.
//
// Building writes into a fixed 42-byte array (14 + 28), no allocation; the NIC pads to the
// Ethernet minimum.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "config/net_address.h"  // Ipv4, MacAddress

namespace lvs {

inline constexpr std::uint16_t kEtherTypeArp = 0x0806;  // ETH_P_ARP
inline constexpr std::size_t kArpBodyLength = 28;       // for Ethernet/IPv4
inline constexpr std::size_t kArpFrameLength = 14 + kArpBodyLength;
inline constexpr MacAddress kBroadcastMac{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

using ArpFrameBytes = std::array<std::uint8_t, kArpFrameLength>;

enum class ArpOp : std::uint16_t {
  Request = 1,  // ARPOP_REQUEST
  Reply = 2,    // ARPOP_REPLY
};

struct ArpPacket {
  MacAddress eth_destination{};
  MacAddress eth_source{};
  ArpOp op = ArpOp::Request;
  MacAddress sender_mac{};
  Ipv4 sender_ip = 0;  // host byte order, like every Ipv4 here
  MacAddress target_mac{};
  Ipv4 target_ip = 0;
};

// Why a frame was refused. Stable names for counters: add at the end, never rename.
enum class ArpParseError : std::uint8_t {
  Truncated,             // shorter than 14 + 8 bytes (Ethernet + fixed ARP header)
  NotArp,                // ethertype is not 0x0806
  UnsupportedHardware,   // ar_hrd is neither Ethernet (1) nor IEEE 802 (6)
  UnsupportedProtocol,   // ar_pro is not IPv4 (0x0800)
  BadAddressLength,      // ar_hln != 6 or ar_pln != 4
  UnsupportedOperation,  // ar_op is neither request nor reply (RARP, InARP, ...)
  TruncatedAddresses,    // the four addresses do not fit in the frame
};

inline constexpr std::size_t kArpParseErrorCount = 7;

std::string_view arp_parse_error_name(ArpParseError error);  // "truncated", "not_arp", ...
std::span<const ArpParseError> arp_parse_errors();           // every reason, in enum order

struct ArpParseResult {
  ArpPacket packet;                    // meaningful only when ok()
  std::optional<ArpParseError> error;  // set when the frame was refused
  bool ok() const { return !error.has_value(); }
};

// `frame` starts at the Ethernet destination address.
ArpParseResult parse_arp_frame(std::span<const std::uint8_t> frame);

// Serialises `packet` exactly as given (Ethernet header, then hrd 1, pro 0x0800, hln 6, pln 4).
ArpFrameBytes build_arp_frame(const ArpPacket& packet);

// The packets the director sends, as the kernel builds them (arp_create(): target MAC zero in
// requests).
//
// A request for `target_ip` from us: broadcast, or unicast to `unicast_to` (a PROBE-state probe).
ArpPacket arp_request(const MacAddress& our_mac, Ipv4 our_ip, Ipv4 target_ip,
                      const std::optional<MacAddress>& unicast_to = std::nullopt);
// Our answer to `request` (which asked for `our_ip`): sent to the requester.
ArpPacket arp_reply(const MacAddress& our_mac, Ipv4 our_ip, const MacAddress& requester_mac,
                    Ipv4 requester_ip);
// RFC 5227 probe for `ip` (arping -D): broadcast request, sender IP 0.0.0.0, target MAC zero.
ArpPacket arp_probe(const MacAddress& our_mac, Ipv4 ip);
// Gratuitous ARP announcing `ip` at `our_mac`, broadcast: a request (RFC 5227 announcement,
// arping -U) or a reply with target MAC = sender MAC (arping -A; what Linux's arp_is_garp()
// requires of a gratuitous reply).
ArpPacket arp_gratuitous(const MacAddress& our_mac, Ipv4 ip, ArpOp op = ArpOp::Request);

}  // namespace lvs
