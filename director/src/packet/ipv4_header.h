// The IPv4 header's layout (RFC 791; struct iphdr) for every piece of the director that reads or
// writes one: the parser, the fragmenter, the ICMP builder and the packet path's DF check.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "packet/byte_order.h"

namespace lvs {

// Field offsets.
inline constexpr std::size_t kIpVersionIhl = 0;
inline constexpr std::size_t kIpTos = 1;
inline constexpr std::size_t kIpTotalLength = 2;
inline constexpr std::size_t kIpFragment = 6;
inline constexpr std::size_t kIpTtl = 8;
inline constexpr std::size_t kIpProtocol = 9;
inline constexpr std::size_t kIpChecksum = 10;
inline constexpr std::size_t kIpSaddr = 12;
inline constexpr std::size_t kIpDaddr = 16;
inline constexpr std::size_t kIpv4MinHeaderLength = 20;

// The fragment field (frag_off).
inline constexpr std::uint16_t kIpDontFragment = 0x4000;   // IP_DF
inline constexpr std::uint16_t kIpMoreFragments = 0x2000;  // IP_MF
inline constexpr std::uint16_t kIpOffsetMask = 0x1fff;     // IP_OFFSET, in 8-byte units

inline std::uint16_t ipv4_fragment_field(std::span<const std::uint8_t> header) {
  return load_be16(header.data() + kIpFragment);
}
inline bool ipv4_dont_fragment(std::span<const std::uint8_t> header) {
  return (ipv4_fragment_field(header) & kIpDontFragment) != 0;
}

// The lengths of a well-formed IPv4 header at the start of `bytes`: version 4, a header length of
// at least 20 bytes, and a total length between the header's and the buffer's. nullopt otherwise.
struct Ipv4Lengths {
  std::size_t header = 0;
  std::size_t total = 0;
};
inline std::optional<Ipv4Lengths> ipv4_lengths(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kIpv4MinHeaderLength || (bytes[kIpVersionIhl] >> 4) != 4) return {};
  const std::size_t header = std::size_t{bytes[kIpVersionIhl] & 0x0fu} * 4;
  const std::size_t total = load_be16(bytes.data() + kIpTotalLength);
  if (header < kIpv4MinHeaderLength || total < header || total > bytes.size()) return {};
  return Ipv4Lengths{header, total};
}

}  // namespace lvs
