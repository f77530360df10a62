#include "packet/icmp_frag_needed.h"

#include <algorithm>
#include <cstring>

#include "packet/byte_order.h"
#include "packet/internet_checksum.h"
#include "packet/ipv4_header.h"

namespace lvs {
namespace {

constexpr std::uint8_t kProtoIcmp = 1;
constexpr std::uint8_t kTosMask = 0x1e;                  // IPTOS_TOS_MASK
constexpr std::uint8_t kPrecInternetControl = 0xc0;      // IPTOS_PREC_INTERNETCONTROL
constexpr std::uint8_t kDefaultTtl = 64;                 // net.ipv4.ip_default_ttl
constexpr std::size_t kIpHeader = kIpv4MinHeaderLength;  // ours carries no options
constexpr std::size_t kIcmpHeader = 8;

bool unicast_host(std::uint32_t a) {
  const std::uint32_t first = a >> 24;
  return first != 0 && first != 127 && first < 224;  // not 0/8, loopback, multicast, 240/4, bcast
}

}  // namespace

std::size_t build_fragmentation_needed(std::span<const std::uint8_t> original, std::uint16_t mtu,
                                       std::span<std::uint8_t> out) {
  if (out.size() < kIcmpErrorMaxSize) return 0;
  const auto lengths = ipv4_lengths(original);
  if (!lengths) return 0;
  const std::size_t total = lengths->total;
  if ((ipv4_fragment_field(original) & kIpOffsetMask) != 0) return 0;  // only fragment 0
  if (original[kIpProtocol] == kProtoIcmp) return 0;  // never about ICMP (icmp_send: is_icmp_err)
  const std::uint32_t saddr = load_be32(original.data() + kIpSaddr);
  if (!unicast_host(saddr)) return 0;

  const std::size_t quote = std::min(total, kIcmpErrorMaxSize - kIpHeader - kIcmpHeader);
  const std::size_t length = kIpHeader + kIcmpHeader + quote;
  std::uint8_t* ip = out.data();
  std::memset(ip, 0, kIpHeader + kIcmpHeader);
  ip[kIpVersionIhl] = 0x45;
  ip[kIpTos] = static_cast<std::uint8_t>((original[kIpTos] & kTosMask) | kPrecInternetControl);
  store_be16(ip + kIpTotalLength, static_cast<std::uint16_t>(length));
  ip[kIpTtl] = kDefaultTtl;
  ip[kIpProtocol] = kProtoIcmp;
  std::memcpy(ip + kIpSaddr, original.data() + kIpDaddr, 4);  // from where it was sent to
  std::memcpy(ip + kIpDaddr, original.data() + kIpSaddr, 4);  // to its sender
  store_be16(ip + kIpChecksum, internet_checksum(std::span<const std::uint8_t>(ip, kIpHeader)));

  std::uint8_t* icmp = ip + kIpHeader;
  icmp[0] = kIcmpDestUnreach;
  icmp[1] = kIcmpFragNeeded;
  store_be16(icmp + 6, mtu);  // icmp_send(..., htonl(mtu)): un.frag.mtu, the low 16 bits
  std::memcpy(icmp + kIcmpHeader, original.data(), quote);
  store_be16(icmp + 2, internet_checksum(std::span<const std::uint8_t>(icmp, kIcmpHeader + quote)));
  return length;
}

}  // namespace lvs
