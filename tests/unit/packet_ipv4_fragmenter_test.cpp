// Ipv4Fragmenter (ip_do_fragment()'s slow path): headers checked to the bit for a 3000-byte
// datagram at MTU 1500, options per their copied flag (ip_options_fragment()), fragments of
// fragments, DF cleared, the refusals, and a property test that reassembles random packets cut at
// random sizes and checks every rule on every fragment.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "packet/internet_checksum.h"
#include "packet/ipv4_fragmenter.h"

namespace lvs {
namespace {

using Bytes = std::vector<std::uint8_t>;

// An IPv4 packet of `total` bytes (header `options` included), ID 0x1234, TTL 64, UDP,
// 10.200.0.10 -> 10.200.0.100, frag_off as given, payload bytes i & 0xff, header checksum set.
Bytes packet(std::size_t total, std::uint16_t frag_off = 0, const Bytes& options = {}) {
  const std::size_t hlen = 20 + options.size();
  Bytes p(total, 0);
  p[0] = static_cast<std::uint8_t>(0x40 | (hlen / 4));
  p[2] = static_cast<std::uint8_t>(total >> 8);
  p[3] = static_cast<std::uint8_t>(total);
  p[4] = 0x12;
  p[5] = 0x34;
  p[6] = static_cast<std::uint8_t>(frag_off >> 8);
  p[7] = static_cast<std::uint8_t>(frag_off);
  p[8] = 64;
  p[9] = 17;
  const std::uint8_t addrs[8] = {10, 200, 0, 10, 10, 200, 0, 100};
  std::copy(addrs, addrs + 8, p.begin() + 12);
  std::copy(options.begin(), options.end(), p.begin() + 20);
  for (std::size_t i = hlen; i < total; ++i) p[i] = static_cast<std::uint8_t>(i);
  const std::uint16_t c = internet_checksum(std::span(p).first(hlen));
  p[10] = static_cast<std::uint8_t>(c >> 8);
  p[11] = static_cast<std::uint8_t>(c);
  return p;
}

std::uint16_t frag_off(const Bytes& f) { return static_cast<std::uint16_t>(f[6] << 8 | f[7]); }
std::size_t total_length(const Bytes& f) { return static_cast<std::size_t>(f[2] << 8 | f[3]); }

TEST(Ipv4Fragmenter, ThreeThousandBytesAtMtu1500ToTheBit) {
  const Bytes p = packet(3000);
  const auto frags = fragment_ipv4(p, 1500);
  ASSERT_EQ(frags.size(), 3u);
  // Worked out independently (a Python struct/checksum script): 1480 + 1480 + 20 payload bytes,
  // offsets 0, 185, 370 (x 8 bytes), MF on all but the last, each header's own checksum.
  const Bytes h1 = {0x45, 0x00, 0x05, 0xdc, 0x12, 0x34, 0x20, 0x00, 0x40, 0x11,
                    0x2c, 0xe0, 0x0a, 0xc8, 0x00, 0x0a, 0x0a, 0xc8, 0x00, 0x64};
  const Bytes h2 = {0x45, 0x00, 0x05, 0xdc, 0x12, 0x34, 0x20, 0xb9, 0x40, 0x11,
                    0x2c, 0x27, 0x0a, 0xc8, 0x00, 0x0a, 0x0a, 0xc8, 0x00, 0x64};
  const Bytes h3 = {0x45, 0x00, 0x00, 0x28, 0x12, 0x34, 0x01, 0x72, 0x40, 0x11,
                    0x51, 0x22, 0x0a, 0xc8, 0x00, 0x0a, 0x0a, 0xc8, 0x00, 0x64};
  const Bytes* want[] = {&h1, &h2, &h3};
  std::size_t at = 20;
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(Bytes(frags[i].begin(), frags[i].begin() + 20), *want[i]) << "fragment " << i;
    EXPECT_EQ(Bytes(frags[i].begin() + 20, frags[i].end()),
              Bytes(p.begin() + static_cast<long>(at),
                    p.begin() + static_cast<long>(at + frags[i].size() - 20)))
        << "fragment " << i << " carries the next slice of the payload";
    at += frags[i].size() - 20;
  }
  EXPECT_EQ(at, p.size());
}

TEST(Ipv4Fragmenter, PayloadIsASliceOfTheOriginalNotACopy) {
  const Bytes p = packet(3000);
  Ipv4Fragmenter f(p, 1500);
  Ipv4Fragment frag;
  ASSERT_TRUE(f.next(frag));
  EXPECT_EQ(frag.payload.data(), p.data() + 20);
  ASSERT_TRUE(f.next(frag));
  EXPECT_EQ(frag.payload.data(), p.data() + 20 + 1480);
}

TEST(Ipv4Fragmenter, DontFragmentIsClearedInTheFragments) {
  // ip_frag_next() rewrites frag_off; deciding whether DF allows fragmenting is the caller's.
  const auto frags = fragment_ipv4(packet(2000, 0x4000), 1500);
  ASSERT_EQ(frags.size(), 2u);
  EXPECT_EQ(frag_off(frags[0]), 0x2000);
  EXPECT_EQ(frag_off(frags[1]), 185);
}

TEST(Ipv4Fragmenter, FragmentOfAFragmentContinuesItsOffsetAndKeepsMf) {
  // A non-last fragment at offset 100 (byte 800) with 1000 payload bytes, cut at 524 (504 data
  // bytes: 504 + 496): every piece keeps MF (not_last_frag).
  const auto mid = fragment_ipv4(packet(1020, 0x2000 | 100), 524);
  ASSERT_EQ(mid.size(), 2u);
  EXPECT_EQ(frag_off(mid[0]), 0x2000 | 100);
  EXPECT_EQ(frag_off(mid[1]), 0x2000 | (100 + 504 / 8));
  // The datagram's last fragment (MF clear): only its last piece has MF clear.
  const auto last = fragment_ipv4(packet(1020, 100), 524);
  ASSERT_EQ(last.size(), 2u);
  EXPECT_EQ(frag_off(last[0]), 0x2000 | 100);
  EXPECT_EQ(frag_off(last[1]), 100 + 504 / 8);
  // At 520 (500 data bytes, 496 per piece when not the end): 496 + 496 + 8.
  EXPECT_EQ(fragment_ipv4(packet(1020, 100), 520).size(), 3u);
}

TEST(Ipv4Fragmenter, OptionsFollowTheirCopiedFlag) {
  // Record route (7, not copied: 7 bytes), loose source route (0x83, copied: 7 bytes), NOP, END,
  // padding: 16 bytes of options, IHL 9.
  const Bytes options = {0x07, 7,   4, 0, 0, 0, 0,  // RR
                         0x83, 7,   4, 1, 2, 3, 4,  // LSRR
                         0x01, 0x00};
  const Bytes p = packet(1000, 0, options);
  const auto frags = fragment_ipv4(p, 500);
  ASSERT_EQ(frags.size(), 3u);
  // The first fragment carries every option as it was.
  EXPECT_EQ(Bytes(frags[0].begin() + 20, frags[0].begin() + 36), options);
  // The others: RR became NOPs, LSRR kept, the header length unchanged.
  const Bytes later = {0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x83,
                       7,    4,    1,    2,    3,    4,    0x01, 0x00};
  for (std::size_t i = 1; i < frags.size(); ++i) {
    EXPECT_EQ(frags[i][0], 0x49) << "IHL 9 in fragment " << i;
    EXPECT_EQ(Bytes(frags[i].begin() + 20, frags[i].begin() + 36), later) << "fragment " << i;
    EXPECT_EQ(internet_checksum(std::span(frags[i]).first(36)), 0) << "fragment " << i;
  }
  // 964 payload bytes, 464 (58 x 8) per fragment at most: 464 + 464 + 36.
  EXPECT_EQ(total_length(frags[0]), 36u + 464);
  EXPECT_EQ(total_length(frags[2]), 36u + 36);
  // The caller's packet is untouched.
  EXPECT_EQ(p, packet(1000, 0, options));
}

TEST(Ipv4Fragmenter, Refusals) {
  Ipv4Fragmenter too_small(packet(1000), 27);  // 7 payload bytes per fragment: below 8
  EXPECT_FALSE(too_small.ok());
  EXPECT_EQ(too_small.error(), FragmentError::SizeTooSmall);
  Ipv4Fragment f;
  EXPECT_FALSE(too_small.next(f));
  EXPECT_TRUE(Ipv4Fragmenter(packet(1000), 28).ok());  // 8 bytes: the least that works (MTU 68)

  Bytes bad = packet(1000);
  bad[3] = 0xff;  // total length 1023 > the 1000 bytes there are
  EXPECT_EQ(Ipv4Fragmenter(bad, 500).error(), FragmentError::Malformed);
  bad = packet(1000);
  bad[0] = 0x44;  // IHL 4
  EXPECT_FALSE(Ipv4Fragmenter(bad, 500).ok());
  bad[0] = 0x65;  // IPv6 version nibble
  EXPECT_FALSE(Ipv4Fragmenter(bad, 500).ok());
  EXPECT_FALSE(Ipv4Fragmenter(std::span<const std::uint8_t>(), 500).ok());
}

TEST(Ipv4Fragmenter, LinkPaddingIsNotPayload) {
  Bytes p = packet(100);
  p.resize(120, 0xee);
  const auto frags = fragment_ipv4(p, 68);
  std::size_t payload = 0;
  for (const auto& f : frags) payload += f.size() - 20;
  EXPECT_EQ(payload, 80u);
}

// Random packets (with and without options, at random offsets) cut at random sizes from 68 up:
// every fragment within the size, non-last payloads multiples of 8, offsets contiguous, MF
// right, checksums valid, and the payloads put back together give the original.
TEST(Ipv4Fragmenter, RandomPacketsReassembleExactly) {
  std::mt19937 rng(12);
  for (int round = 0; round < 2000; ++round) {
    const bool with_options = rng() % 2 == 0;
    const Bytes options = with_options ? Bytes{0x07, 7, 4, 0, 0, 0, 0, 0x01} : Bytes{};
    const std::size_t hlen = 20 + options.size();
    const std::size_t total = hlen + rng() % 9000;
    const bool mf = rng() % 4 == 0;
    const std::uint16_t offset = static_cast<std::uint16_t>(rng() % 64);
    const Bytes p = packet(total, static_cast<std::uint16_t>((mf ? 0x2000 : 0) | offset), options);
    const std::size_t size = 68 + rng() % 1500;
    const auto frags = fragment_ipv4(p, size);
    ASSERT_FALSE(frags.empty());
    Bytes payload;
    for (std::size_t i = 0; i < frags.size(); ++i) {
      const Bytes& f = frags[i];
      const bool last = i + 1 == frags.size();
      ASSERT_LE(f.size(), std::max(size, hlen));
      ASSERT_EQ(total_length(f), f.size());
      ASSERT_EQ(internet_checksum(std::span(f).first(hlen)), 0);
      ASSERT_EQ(static_cast<std::size_t>(frag_off(f) & 0x1fff) * 8,
                std::size_t{offset} * 8 + payload.size());
      ASSERT_EQ((frag_off(f) & 0x2000) != 0, !last || mf);
      ASSERT_EQ(frag_off(f) & 0x4000, 0);
      if (!last) {
        ASSERT_EQ((f.size() - hlen) % 8, 0u);
      }
      payload.insert(payload.end(), f.begin() + static_cast<long>(hlen), f.end());
    }
    ASSERT_EQ(payload, Bytes(p.begin() + static_cast<long>(hlen), p.end()))
        << "round " << round << " total " << total << " size " << size;
  }
}

}  // namespace
}  // namespace lvs
