#include "packet/icmp_frag_needed.h"

#include <algorithm>
#include <cstring>

#include "packet/byte_order.h"
#include "packet/internet_checksum.h"

namespace lvs {
namespace {

constexpr std::uint8_t kProtoIcmp = 1;
constexpr std::uint8_t kTosMask = 0x1e;              // IPTOS_TOS_MASK
constexpr std::uint8_t kPrecInternetControl = 0xc0;  // IPTOS_PREC_INTERNETCONTROL
constexpr std::uint8_t kDefaultTtl = 64;             // net.ipv4.ip_default_ttl
constexpr std::size_t kIpHeader = 20;
constexpr std::size_t kIcmpHeader = 8;

bool unicast_host(std::uint32_t a) {
  const std::uint32_t first = a >> 24;
  return first != 0 && first != 127 && first < 224;  // not 0/8, loopback, multicast, 240/4, bcast
}

}  // namespace

std::size_t build_fragmentation_needed(std::span<const std::uint8_t> original, std::uint16_t mtu,
                                       std::span<std::uint8_t> out) {
  if (out.size() < kIcmpErrorMaxSize || original.size() < kIpHeader) return 0;
  if ((original[0] >> 4) != 4) return 0;
  const std::size_t ihl = std::size_t{original[0] & 0x0fu} * 4;
  const std::size_t total = load_be16(original.data() + 2);
  if (ihl < kIpHeader || total < ihl || total > original.size()) return 0;
  if ((load_be16(original.data() + 6) & 0x1fff) != 0) return 0;  // only fragment 0 is answered
  if (original[9] == kProtoIcmp) return 0;  // never an ICMP about ICMP (icmp_send: is_icmp_err)
  const std::uint32_t saddr = load_be32(original.data() + 12);
  if (!unicast_host(saddr)) return 0;

  const std::size_t quote = std::min(total, kIcmpErrorMaxSize - kIpHeader - kIcmpHeader);
  const std::size_t length = kIpHeader + kIcmpHeader + quote;
  std::uint8_t* ip = out.data();
  std::memset(ip, 0, kIpHeader + kIcmpHeader);
  ip[0] = 0x45;
  ip[1] = static_cast<std::uint8_t>((original[1] & kTosMask) | kPrecInternetControl);
  store_be16(ip + 2, static_cast<std::uint16_t>(length));
  ip[8] = kDefaultTtl;
  ip[9] = kProtoIcmp;
  std::memcpy(ip + 12, original.data() + 16, 4);  // from the address the packet was sent to
  std::memcpy(ip + 16, original.data() + 12, 4);  // to its sender
  store_be16(ip + 10, internet_checksum(std::span<const std::uint8_t>(ip, kIpHeader)));

  std::uint8_t* icmp = ip + kIpHeader;
  icmp[0] = kIcmpDestUnreach;
  icmp[1] = kIcmpFragNeeded;
  store_be16(icmp + 6, mtu);  // icmp_send(..., htonl(mtu)): un.frag.mtu, the low 16 bits
  std::memcpy(icmp + kIcmpHeader, original.data(), quote);
  store_be16(icmp + 2, internet_checksum(std::span<const std::uint8_t>(icmp, kIcmpHeader + quote)));
  return length;
}

}  // namespace lvs
