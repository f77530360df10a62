// The kernel's multiplicative hash as the IPVS schedulers use it (include/linux/hash.h).
#pragma once

#include <cstdint>

namespace lvs {

// GOLDEN_RATIO_32 in include/linux/hash.h.
inline constexpr std::uint32_t kGoldenRatio32 = 0x61C88647u;

// hash_32(val, bits): the top `bits` bits of val * GOLDEN_RATIO_32 (mod 2^32). Mainline dh/sh
// hash this way; kernels before 4.x used (val * 2654435761) & mask, which picks other buckets.
constexpr std::uint32_t hash_32(std::uint32_t val, unsigned bits) {
  return static_cast<std::uint32_t>(val * kGoldenRatio32) >> (32u - bits);
}

}  // namespace lvs
