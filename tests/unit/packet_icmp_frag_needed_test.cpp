// build_fragmentation_needed() (icmp_send(ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu)) to the bit,
// the 576-byte quote limit, the packets it must not answer; IcmpRateLimit (icmp_global_allow()).
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "packet/icmp_frag_needed.h"
#include "packet/icmp_rate_limit.h"
#include "packet/internet_checksum.h"

namespace lvs {
namespace {

using Bytes = std::vector<std::uint8_t>;

// 10.200.0.10:40000 -> 10.200.0.100:9000, UDP, 28 bytes, TOS 0x10, DF, ID 0x1234.
const Bytes kDatagram = {0x45, 0x10, 0x00, 0x1c, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11,
                         0x12, 0x90, 0x0a, 0xc8, 0x00, 0x0a, 0x0a, 0xc8, 0x00, 0x64,
                         0x9c, 0x40, 0x23, 0x28, 0x00, 0x08, 0x00, 0x00};

Bytes build(const Bytes& original, std::uint16_t mtu) {
  std::array<std::uint8_t, kIcmpErrorMaxSize> out{};
  const std::size_t n = build_fragmentation_needed(original, mtu, out);
  return Bytes(out.begin(), out.begin() + static_cast<long>(n));
}

TEST(IcmpFragNeeded, SmallDatagramToTheBit) {
  // Worked out independently (a Python struct/checksum script): IP 10.200.0.100 -> 10.200.0.10,
  // TOS 0xd0 (0x10 & IPTOS_TOS_MASK | IPTOS_PREC_INTERNETCONTROL), TTL 64, protocol 1, ID 0, DF
  // clear; ICMP 3/4, MTU 1500 in the low 16 bits of the second word; the whole datagram quoted.
  const Bytes want = {0x45, 0xd0, 0x00, 0x38, 0x00, 0x00, 0x00, 0x00, 0x40, 0x01, 0x63, 0xf8,
                      0x0a, 0xc8, 0x00, 0x64, 0x0a, 0xc8, 0x00, 0x0a, 0x03, 0x04, 0x37, 0xaf,
                      0x00, 0x00, 0x05, 0xdc, 0x45, 0x10, 0x00, 0x1c, 0x12, 0x34, 0x40, 0x00,
                      0x40, 0x11, 0x12, 0x90, 0x0a, 0xc8, 0x00, 0x0a, 0x0a, 0xc8, 0x00, 0x64,
                      0x9c, 0x40, 0x23, 0x28, 0x00, 0x08, 0x00, 0x00};
  EXPECT_EQ(build(kDatagram, 1500), want);
}

TEST(IcmpFragNeeded, QuoteStopsAt576BytesInAll) {
  Bytes big(3000, 0xab);
  std::copy(kDatagram.begin(), kDatagram.begin() + 20, big.begin());
  big[2] = 0x0b;  // total length 3000
  big[3] = 0xb8;
  const Bytes icmp = build(big, 1400);
  ASSERT_EQ(icmp.size(), 576u);
  EXPECT_EQ(icmp[2] << 8 | icmp[3], 576);
  EXPECT_EQ(Bytes(icmp.begin() + 28, icmp.end()), Bytes(big.begin(), big.begin() + 548));
  EXPECT_EQ(icmp[26] << 8 | icmp[27], 1400);
  EXPECT_EQ(internet_checksum(std::span(icmp).first(20)), 0);
  EXPECT_EQ(internet_checksum(std::span(icmp).subspan(20)), 0);
  // Link padding beyond the total length is never quoted.
  Bytes padded = kDatagram;
  padded.resize(60, 0xee);
  EXPECT_EQ(build(padded, 1500).size(), 56u);
}

TEST(IcmpFragNeeded, NotAnswered) {
  Bytes p = kDatagram;
  p[7] = 0x10;  // a non-first fragment
  EXPECT_TRUE(build(p, 1500).empty());
  p = kDatagram;
  p[9] = 1;  // ICMP
  EXPECT_TRUE(build(p, 1500).empty());
  for (std::uint8_t first : {0, 127, 224, 239, 240, 255}) {
    p = kDatagram;
    p[12] = first;  // source 0/8, loopback, multicast, 240/4, broadcast
    EXPECT_TRUE(build(p, 1500).empty()) << int{first};
  }
  EXPECT_TRUE(build(Bytes(kDatagram.begin(), kDatagram.begin() + 19), 1500).empty());
  p = kDatagram;
  p[3] = 0x40;  // total length beyond the bytes there are
  EXPECT_TRUE(build(p, 1500).empty());
  std::array<std::uint8_t, 100> small{};
  EXPECT_EQ(build_fragmentation_needed(kDatagram, 1500, small), 0u);  // room for 576 required
}

TEST(IcmpRateLimit, BurstThenRefillAtTheRate) {
  IcmpRateLimit limit(1000, 50);
  int allowed = 0;
  for (int i = 0; i < 100; ++i) allowed += limit.allow(0) ? 1 : 0;
  EXPECT_EQ(allowed, 50);
  EXPECT_TRUE(limit.allow(1));  // 1 ms: one more token
  EXPECT_FALSE(limit.allow(1));
  allowed = 0;
  for (int i = 0; i < 100; ++i) allowed += limit.allow(11) ? 1 : 0;
  EXPECT_EQ(allowed, 10);
  allowed = 0;
  for (int i = 0; i < 100; ++i) allowed += limit.allow(60'000) ? 1 : 0;
  EXPECT_EQ(allowed, 50) << "never more than the burst";
}

}  // namespace
}  // namespace lvs
