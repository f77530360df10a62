#include "sched/hsiphash.h"

namespace lvs {

std::uint32_t hsiphash(std::span<const std::uint8_t> data, const HsiphashKey& key) {
  // as __hsiphash_unaligned() (64-bit): whole 8-byte words little-endian, then the 0..7 bytes
  // left over in the low bytes of the last word, whose top byte is the length mod 256.
  hsiphash_detail::State s(key);
  const std::size_t words = data.size() / 8;
  for (std::size_t w = 0; w < words; ++w) {
    std::uint64_t m = 0;
    for (unsigned i = 0; i < 8; ++i) m |= std::uint64_t{data[w * 8 + i]} << (8 * i);
    s.compress(m);
  }
  std::uint64_t b = static_cast<std::uint64_t>(data.size()) << 56;
  for (std::size_t i = words * 8; i < data.size(); ++i) {
    b |= std::uint64_t{data[i]} << (8 * (i - words * 8));
  }
  return s.finish(b);
}

}  // namespace lvs
