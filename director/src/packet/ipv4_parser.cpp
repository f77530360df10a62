#include "packet/ipv4_parser.h"

#include "packet/byte_order.h"
#include "packet/internet_checksum.h"

namespace lvs {
namespace {

// TCP and UDP share the port positions; the rest is per protocol (RFC 793, RFC 768).
constexpr std::size_t kL4Sport = 0;
constexpr std::size_t kL4Dport = 2;
constexpr std::size_t kTcpDataOffset = 12;
constexpr std::size_t kTcpFlags = 13;
constexpr std::size_t kUdpLength = 4;
constexpr std::uint8_t kTcpFin = 0x01;
constexpr std::uint8_t kTcpSyn = 0x02;
constexpr std::uint8_t kTcpRst = 0x04;
constexpr std::uint8_t kTcpAck = 0x10;

ParseResult refuse(ParseError error) {
  ParseResult result;
  result.error = error;
  return result;
}

}  // namespace

ParseResult parse_ipv4_packet(std::span<const std::uint8_t> bytes, ParseOptions options) {
  if (bytes.size() < kIpv4MinHeaderLength) return refuse(ParseError::Truncated);
  const std::uint8_t* ip = bytes.data();

  if ((ip[kIpVersionIhl] >> 4) != 4) return refuse(ParseError::NotIpv4);
  const std::size_t header_length = static_cast<std::size_t>(ip[kIpVersionIhl] & 0x0f) * 4;
  if (header_length < kIpv4MinHeaderLength || header_length > bytes.size()) {
    return refuse(ParseError::BadHeaderLength);
  }
  const std::size_t total_length = load_be16(ip + kIpTotalLength);
  if (total_length < header_length || total_length > bytes.size()) {
    return refuse(ParseError::BadTotalLength);
  }
  if (options.verify_header_checksum && internet_checksum(bytes.first(header_length)) != 0) {
    return refuse(ParseError::BadChecksum);
  }

  const std::uint8_t protocol = ip[kIpProtocol];
  if (protocol != kProtoTcp && protocol != kProtoUdp) {
    return refuse(ParseError::UnsupportedProtocol);
  }
  const std::uint16_t fragment = load_be16(ip + kIpFragment);
  if ((fragment & kIpOffsetMask) != 0) return refuse(ParseError::Fragment);
  const bool more_fragments = (fragment & kIpMoreFragments) != 0;

  // From here on every read stays inside the IP payload: [header_length, total_length).
  const std::span<const std::uint8_t> l4 =
      bytes.subspan(header_length, total_length - header_length);

  ParseResult result;
  ParsedPacket& packet = result.packet;
  if (protocol == kProtoTcp) {
    if (l4.size() < kTcpMinHeaderLength) return refuse(ParseError::TruncatedL4);
    const std::size_t tcp_header_length = static_cast<std::size_t>(l4[kTcpDataOffset] >> 4) * 4;
    if (tcp_header_length < kTcpMinHeaderLength) return refuse(ParseError::BadTcpHeaderLength);
    // Options included: a header split across fragments (RFC 1858's tiny fragments) is refused.
    if (tcp_header_length > l4.size()) return refuse(ParseError::TruncatedL4);
    const std::uint8_t flags = l4[kTcpFlags];
    packet.tcp_flags = TcpFlags{.syn = (flags & kTcpSyn) != 0,
                                .ack = (flags & kTcpAck) != 0,
                                .fin = (flags & kTcpFin) != 0,
                                .rst = (flags & kTcpRst) != 0};
  } else {
    if (l4.size() < kUdpHeaderLength) return refuse(ParseError::TruncatedL4);
    // As __udp4_lib_rcv(): below 8 is malformed, beyond the payload is a short packet; a shorter
    // UDP length than the payload is fine (the kernel trims). A first fragment carries only part
    // of the datagram, so its UDP length may exceed this payload.
    const std::size_t udp_length = load_be16(l4.data() + kUdpLength);
    if (udp_length < kUdpHeaderLength || (!more_fragments && udp_length > l4.size())) {
      return refuse(ParseError::BadUdpLength);
    }
  }

  packet.info = PacketInfo{.protocol = protocol,
                           .saddr = load_be32(ip + kIpSaddr),
                           .sport = load_be16(l4.data() + kL4Sport),
                           .daddr = load_be32(ip + kIpDaddr),
                           .dport = load_be16(l4.data() + kL4Dport)};
  packet.ip_total_length = static_cast<std::uint16_t>(total_length);
  packet.l4_offset = static_cast<std::uint16_t>(header_length);
  packet.more_fragments = more_fragments;
  return result;
}

}  // namespace lvs
