// The Internet checksum (RFC 1071): the one's complement of the one's complement sum of 16-bit
// big-endian words. Over an IPv4 header whose checksum field is filled in, it is 0 when the
// header is intact (what the kernel's ip_fast_csum() checks in ip_rcv_core()).
#pragma once

#include <cstdint>
#include <span>

namespace lvs {

// An odd trailing byte is padded with a zero byte, as RFC 1071 specifies.
std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes);

}  // namespace lvs
