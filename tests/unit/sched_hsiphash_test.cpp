// hsiphash as a 64-bit kernel computes it: the test vectors of the kernel's own self-test
// (lib/test_siphash.c, the BITS_PER_LONG == 64 table): key bytes 00..0f, message bytes
// 00, 01, ..., len-1 for len 0..63.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "sched/hsiphash.h"

namespace lvs {
namespace {

constexpr HsiphashKey kTestKey{0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};

constexpr std::array<std::uint32_t, 64> kVectors = {
    0x050fc4dcU, 0x7d57ca93U, 0x4dc7d44dU, 0xe7ddf7fbU, 0x88d38328U, 0x49533b67U, 0xc59f22a7U,
    0x9bb11140U, 0x8d299a8eU, 0x6c063de4U, 0x92ff097fU, 0xf94dc352U, 0x57b4d9a2U, 0x1229ffa7U,
    0xc0f95d34U, 0x2a519956U, 0x7d908b66U, 0x63dbd80cU, 0xb473e63eU, 0x8d297d1cU, 0xa6cce040U,
    0x2b45f844U, 0xa320872eU, 0xdae6c123U, 0x67349c8cU, 0x705b0979U, 0xca9913a5U, 0x4ade3b35U,
    0xef6cd00dU, 0x4ab1e1f4U, 0x43c5e663U, 0x8c21d1bcU, 0x16a7b60dU, 0x7a8ff9bfU, 0x1f2a753eU,
    0xbf186b91U, 0xada26206U, 0xa3c33057U, 0xae3a36a1U, 0x7b108392U, 0x99e41531U, 0x3f1ad944U,
    0xc8138825U, 0xc28949a6U, 0xfaf8876bU, 0x9f042196U, 0x68b1d623U, 0x8b5114fdU, 0xdf074c46U,
    0x12cc86b3U, 0x0a52098fU, 0x9d292f9aU, 0xa2f41f12U, 0x43a71ed0U, 0x73f0bce6U, 0x70a7e980U,
    0x243c6d75U, 0xfdb71513U, 0xa67d8a08U, 0xb7e8f148U, 0xf7a644eeU, 0x0f1837f2U, 0x4b6694e0U,
    0xb7bbb3a8U};

// The one-word form is constexpr: the vector for the 4 bytes 00 01 02 03 read little-endian.
static_assert(hsiphash_1u32(0x03020100u, kTestKey) == 0x88d38328u);

TEST(Hsiphash, KernelSelfTestVectorsForEveryLengthUpTo63) {
  std::vector<std::uint8_t> in(64);
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = static_cast<std::uint8_t>(i);
  for (std::size_t len = 0; len < 64; ++len) {
    EXPECT_EQ(hsiphash(std::span(in).first(len), kTestKey), kVectors[len]) << "len " << len;
  }
}

TEST(Hsiphash, UnalignedInputHashesTheSame) {
  // as the self-test's in_unaligned: the same bytes one past an aligned address.
  std::vector<std::uint8_t> in(65);
  for (std::size_t i = 0; i < 64; ++i) in[i + 1] = static_cast<std::uint8_t>(i);
  for (std::size_t len = 0; len < 64; ++len) {
    EXPECT_EQ(hsiphash(std::span(in).subspan(1, len), kTestKey), kVectors[len]) << "len " << len;
  }
}

TEST(Hsiphash, OneU32IsFourLittleEndianBytes) {
  EXPECT_EQ(hsiphash_1u32(0x03020100u, kTestKey), kVectors[4]);
  // Any value: the 1u32 form equals hashing its little-endian bytes.
  for (std::uint32_t v : {0u, 1u, 0x0a000001u, 0xdeadbeefu, 0xffffffffu}) {
    const std::array<std::uint8_t, 4> bytes = {
        static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
        static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 24)};
    EXPECT_EQ(hsiphash_1u32(v, kTestKey), hsiphash(bytes, kTestKey)) << std::hex << v;
  }
}

TEST(Hsiphash, KeyWordsAreNotInterchangeable) {
  // k0 and k1 enter different state words: swapping them changes the hash.
  const HsiphashKey swapped{kTestKey.k1, kTestKey.k0};
  EXPECT_NE(hsiphash_1u32(0x03020100u, swapped), kVectors[4]);
}

}  // namespace
}  // namespace lvs
