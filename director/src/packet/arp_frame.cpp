#include "packet/arp_frame.h"

#include <cstring>

#include "packet/byte_order.h"

namespace lvs {
namespace {

constexpr std::size_t kEthHeader = 14;
constexpr std::size_t kArpFixedHeader = 8;  // hrd, pro, hln, pln, op
constexpr std::uint16_t kHrdEthernet = 1;   // ARPHRD_ETHER
constexpr std::uint16_t kHrdIeee802 = 6;    // ARPHRD_IEEE802
constexpr std::uint16_t kProIpv4 = 0x0800;

constexpr std::array<ArpParseError, kArpParseErrorCount> kAll = {
    ArpParseError::Truncated,           ArpParseError::NotArp,
    ArpParseError::UnsupportedHardware, ArpParseError::UnsupportedProtocol,
    ArpParseError::BadAddressLength,    ArpParseError::UnsupportedOperation,
    ArpParseError::TruncatedAddresses,
};

MacAddress load_mac(const std::uint8_t* p) {
  MacAddress mac;
  std::memcpy(mac.data(), p, mac.size());
  return mac;
}

void store_mac(std::uint8_t* p, const MacAddress& mac) { std::memcpy(p, mac.data(), mac.size()); }

void put_be32(std::uint8_t* p, std::uint32_t value) {
  p[0] = static_cast<std::uint8_t>(value >> 24);
  p[1] = static_cast<std::uint8_t>(value >> 16);
  p[2] = static_cast<std::uint8_t>(value >> 8);
  p[3] = static_cast<std::uint8_t>(value);
}

ArpParseResult refuse(ArpParseError error) {
  ArpParseResult r;
  r.error = error;
  return r;
}

}  // namespace

std::string_view arp_parse_error_name(ArpParseError error) {
  // In enum order (the metric label values: add at the end, never rename).
  constexpr std::array<std::string_view, kArpParseErrorCount> kNames = {"truncated",
                                                                        "not_arp",
                                                                        "unsupported_hardware",
                                                                        "unsupported_protocol",
                                                                        "bad_address_length",
                                                                        "unsupported_operation",
                                                                        "truncated_addresses"};
  const auto i = static_cast<std::size_t>(error);
  return i < kNames.size() ? kNames[i] : "unknown";
}

std::span<const ArpParseError> arp_parse_errors() { return kAll; }

ArpParseResult parse_arp_frame(std::span<const std::uint8_t> frame) {
  if (frame.size() < kEthHeader + kArpFixedHeader) return refuse(ArpParseError::Truncated);
  const std::uint8_t* p = frame.data();
  if (load_be16(p + 12) != kEtherTypeArp) return refuse(ArpParseError::NotArp);
  const std::uint8_t* arp = p + kEthHeader;
  const std::uint16_t hrd = load_be16(arp);
  if (hrd != kHrdEthernet && hrd != kHrdIeee802) return refuse(ArpParseError::UnsupportedHardware);
  if (load_be16(arp + 2) != kProIpv4) return refuse(ArpParseError::UnsupportedProtocol);
  if (arp[4] != 6 || arp[5] != 4) return refuse(ArpParseError::BadAddressLength);
  const std::uint16_t op = load_be16(arp + 6);
  if (op != static_cast<std::uint16_t>(ArpOp::Request) &&
      op != static_cast<std::uint16_t>(ArpOp::Reply)) {
    return refuse(ArpParseError::UnsupportedOperation);
  }
  // Compared as "what is left" so no sum can overflow.
  if (frame.size() - kEthHeader < kArpBodyLength) return refuse(ArpParseError::TruncatedAddresses);

  ArpParseResult r;
  ArpPacket& a = r.packet;
  a.eth_destination = load_mac(p);
  a.eth_source = load_mac(p + 6);
  a.op = static_cast<ArpOp>(op);
  const std::uint8_t* addr = arp + kArpFixedHeader;
  a.sender_mac = load_mac(addr);
  a.sender_ip = load_be32(addr + 6);
  a.target_mac = load_mac(addr + 10);
  a.target_ip = load_be32(addr + 16);
  return r;
}

ArpFrameBytes build_arp_frame(const ArpPacket& a) {
  ArpFrameBytes f{};
  std::uint8_t* p = f.data();
  store_mac(p, a.eth_destination);
  store_mac(p + 6, a.eth_source);
  store_be16(p + 12, kEtherTypeArp);
  std::uint8_t* arp = p + kEthHeader;
  store_be16(arp, kHrdEthernet);
  store_be16(arp + 2, kProIpv4);
  arp[4] = 6;
  arp[5] = 4;
  store_be16(arp + 6, static_cast<std::uint16_t>(a.op));
  std::uint8_t* addr = arp + kArpFixedHeader;
  store_mac(addr, a.sender_mac);
  put_be32(addr + 6, a.sender_ip);
  store_mac(addr + 10, a.target_mac);
  put_be32(addr + 16, a.target_ip);
  return f;
}

ArpPacket arp_request(const MacAddress& our_mac, Ipv4 our_ip, Ipv4 target_ip,
                      const std::optional<MacAddress>& unicast_to) {
  ArpPacket a;
  a.eth_destination = unicast_to.value_or(kBroadcastMac);
  a.eth_source = our_mac;
  a.op = ArpOp::Request;
  a.sender_mac = our_mac;
  a.sender_ip = our_ip;
  a.target_mac = MacAddress{};  // arp_create(): unknown, zero
  a.target_ip = target_ip;
  return a;
}

ArpPacket arp_reply(const MacAddress& our_mac, Ipv4 our_ip, const MacAddress& requester_mac,
                    Ipv4 requester_ip) {
  ArpPacket a;
  a.eth_destination = requester_mac;
  a.eth_source = our_mac;
  a.op = ArpOp::Reply;
  a.sender_mac = our_mac;
  a.sender_ip = our_ip;
  a.target_mac = requester_mac;
  a.target_ip = requester_ip;
  return a;
}

ArpPacket arp_probe(const MacAddress& our_mac, Ipv4 ip) { return arp_request(our_mac, 0, ip); }

ArpPacket arp_gratuitous(const MacAddress& our_mac, Ipv4 ip, ArpOp op) {
  ArpPacket a = arp_request(our_mac, ip, ip);
  a.op = op;
  if (op == ArpOp::Reply) a.target_mac = our_mac;
  return a;
}

}  // namespace lvs
