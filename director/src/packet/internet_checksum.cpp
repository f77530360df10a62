#include "packet/internet_checksum.h"

#include "packet/byte_order.h"

namespace lvs {

std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes) {
  // 64-bit accumulator: no carry is lost before the fold for any buffer below 2^48 bytes.
  std::uint64_t sum = 0;
  std::size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) sum += load_be16(bytes.data() + i);
  if (i < bytes.size()) sum += std::uint64_t{bytes[i]} << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

}  // namespace lvs
