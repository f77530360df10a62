// hsiphash: the kernel's fast hashtable PRF (include/linux/siphash.h, lib/siphash.c) as a 64-bit
// kernel computes it. On BITS_PER_LONG == 64, lib/siphash.c makes "HalfSipHash-1-3" actually
// SipHash-1-3 on 64-bit words (one compression round per 8-byte word, three finalisation
// rounds, the usual SipHash constants) and returns the low 32 bits of v0^v1^v2^v3; the key is
// two unsigned longs, i.e. two 64-bit words. A 32-bit kernel runs the real HalfSipHash on 32-bit
// words and gives other values: mh tables built there differ from ours.
//
// The message is read as little-endian words (get_unaligned_le64 / le32_to_cpup), so a value
// hashed from memory, as ip_vs_mh_hashkey() does with `hsiphash(&v, sizeof(v), key)`, hashes
// the same as hsiphash_1u32(v) on a little-endian kernel (x86-64, arm64). That is the kernel
// whose decisions we reproduce.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace lvs {

// hsiphash_key_t on a 64-bit kernel: { unsigned long key[2]; }.
struct HsiphashKey {
  std::uint64_t k0 = 0;
  std::uint64_t k1 = 0;
};

namespace hsiphash_detail {

constexpr std::uint64_t rotl(std::uint64_t x, unsigned s) { return (x << s) | (x >> (64u - s)); }

// The SipHash state after HPREAMBLE(len) and the rounds of the compression and finalisation.
struct State {
  std::uint64_t v0, v1, v2, v3;

  explicit constexpr State(const HsiphashKey& key)
      : v0(0x736f6d6570736575ull ^ key.k0),
        v1(0x646f72616e646f6dull ^ key.k1),
        v2(0x6c7967656e657261ull ^ key.k0),
        v3(0x7465646279746573ull ^ key.k1) {}

  // SIPROUND.
  constexpr void round() {
    v0 += v1;
    v1 = rotl(v1, 13);
    v1 ^= v0;
    v0 = rotl(v0, 32);
    v2 += v3;
    v3 = rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = rotl(v1, 17);
    v1 ^= v2;
    v2 = rotl(v2, 32);
  }

  // One message word, 1 round (the "1" of SipHash-1-3).
  constexpr void compress(std::uint64_t m) {
    v3 ^= m;
    round();
    v0 ^= m;
  }

  // HPOSTAMBLE: the last word b (length << 56 | tail bytes), then 3 rounds (the "3").
  constexpr std::uint32_t finish(std::uint64_t b) {
    compress(b);
    v2 ^= 0xff;
    round();
    round();
    round();
    return static_cast<std::uint32_t>((v0 ^ v1) ^ (v2 ^ v3));
  }
};

}  // namespace hsiphash_detail

// hsiphash_1u32(): one 32-bit value (what hsiphash() of 4 bytes in memory reduces to on a
// little-endian kernel). Inline: mh calls it once per new connection.
constexpr std::uint32_t hsiphash_1u32(std::uint32_t first, const HsiphashKey& key) {
  hsiphash_detail::State s(key);
  return s.finish((std::uint64_t{4} << 56) | first);
}

// hsiphash(data, len, key): any length, bytes as they lie in memory.
std::uint32_t hsiphash(std::span<const std::uint8_t> data, const HsiphashKey& key);

}  // namespace lvs
