// sh (ip_vs_sh.c): bucket = (offset + hash_32(sport + saddr, 8)) & 255 with host-order values
// (the kernel adds ntohs(port) + ntohl(addr)); each server in list order takes `weight`
// consecutive buckets (weight 0 still one), cycling. Bucket numbers below were worked out
// from the formula by hand (calculator), not by running this code.
#include <gtest/gtest.h>

#include <memory>

#include "sched/source_hashing.h"
#include "service/virtual_service.h"
#include "support/scheduler_fixture.h"

namespace lvs {
namespace {

constexpr Endpoint kA{0x0a000101, 80};
constexpr Endpoint kB{0x0a000102, 80};
constexpr Endpoint kC{0x0a000103, 80};

// Source addresses and their buckets (hash_32(addr, 8)); with C(1), B(2), A(3) the table is
// C B B A A A repeated, so bucket i -> "CBBAAA"[i mod 6].
constexpr Ipv4 k0_0_0_0 = 0x00000000;          // bucket 0   -> C
constexpr Ipv4 k10_0_0_1 = 0x0a000001;         // bucket 39  -> 3 -> A
constexpr Ipv4 k10_0_0_2 = 0x0a000002;         // bucket 137 -> 5 -> A
constexpr Ipv4 k10_0_0_3 = 0x0a000003;         // bucket 235 -> 1 -> B
constexpr Ipv4 k10_0_0_6 = 0x0a000006;         // bucket 16  -> 4 -> A
constexpr Ipv4 k10_0_0_8 = 0x0a000008;         // bucket 212 -> 2 -> B
constexpr Ipv4 k255_255_255_255 = 0xffffffff;  // bucket 158 -> 2 -> B
constexpr Ipv4 k10_200_0_10 = 0x0ac8000a;      // + port: 0 -> 127, 1 -> 225, 80 -> 13,
                                               // 1024 -> 161, 40002 -> 230

PacketInfo from(Ipv4 saddr, std::uint16_t sport = 40000, std::uint8_t protocol = 6) {
  PacketInfo p;
  p.protocol = protocol;
  p.saddr = saddr;
  p.sport = sport;
  p.daddr = 0x0ac80064;
  p.dport = 80;
  return p;
}

class SourceHashingTest : public test::SchedulerTest<SourceHashing> {
 protected:
  SourceHashingTest() : SchedulerTest(std::make_unique<SourceHashing>(SchedulerFlags{})) {}
  // sh reads its flags when it is made: each test makes the service it needs.
  void make(SchedulerFlags flags) {
    SchedulerTest::make(std::make_unique<SourceHashing>(flags), flags);
  }
  // A(3), B(2), C(1) added in that order: list C, B, A.
  void add_abc(std::uint32_t u = 0) {
    a_ = svc_->add_destination(kA, {3, u, 0});
    b_ = svc_->add_destination(kB, {2, u, 0});
    c_ = svc_->add_destination(kC, {1, u, 0});
  }
  Destination* a_ = nullptr;
  Destination* b_ = nullptr;
  Destination* c_ = nullptr;
};

TEST_F(SourceHashingTest, NameIsSh) {
  make({});
  EXPECT_EQ(sched_->name(), "sh");
}

TEST_F(SourceHashingTest, EmptyServiceHasNoServer) {
  make({.fallback = true, .port = true});
  EXPECT_EQ(pick(from(k10_0_0_1)), nullptr);
}

TEST_F(SourceHashingTest, BucketOfAddsPortThenHashesThenAddsOffset) {
  EXPECT_EQ(SourceHashing::bucket_of(k10_0_0_1, 0, 0), 39u);
  EXPECT_EQ(SourceHashing::bucket_of(k10_200_0_10, 0, 0), 127u);
  EXPECT_EQ(SourceHashing::bucket_of(k10_200_0_10, 1, 0), 225u);
  EXPECT_EQ(SourceHashing::bucket_of(k10_200_0_10, 80, 0), 13u);
  EXPECT_EQ(SourceHashing::bucket_of(k10_0_0_1, 0, 3), 42u);
  EXPECT_EQ(SourceHashing::bucket_of(k10_0_0_1, 0, 250), (39u + 250u) & 255u);
}

TEST_F(SourceHashingTest, EachServerTakesWeightConsecutiveBuckets) {
  make({});
  add_abc();
  const Destination* expected[6] = {c_, b_, b_, a_, a_, a_};
  for (std::size_t i = 0; i < SourceHashing::kTableSize; ++i) {
    ASSERT_EQ(sched_->bucket(i), expected[i % 6]) << "bucket " << i;
  }
  EXPECT_EQ(pick(from(k0_0_0_0)), c_);
  EXPECT_EQ(pick(from(k10_0_0_1)), a_);
  EXPECT_EQ(pick(from(k10_0_0_2)), a_);
  EXPECT_EQ(pick(from(k10_0_0_3)), b_);
  EXPECT_EQ(pick(from(k255_255_255_255)), b_);
}

TEST_F(SourceHashingTest, WithoutShPortThePortIsIgnored) {
  make({});
  add_abc();
  EXPECT_EQ(pick(from(k10_200_0_10, 0)), b_);  // bucket 127
  EXPECT_EQ(pick(from(k10_200_0_10, 1)), b_);
  EXPECT_EQ(pick(from(k10_200_0_10, 1024)), b_);
}

TEST_F(SourceHashingTest, ShPortMixesTheSourcePortIn) {
  make({.fallback = false, .port = true});
  add_abc();
  EXPECT_EQ(pick(from(k10_200_0_10, 0)), b_);      // 127 mod 6 = 1
  EXPECT_EQ(pick(from(k10_200_0_10, 1)), a_);      // 225 mod 6 = 3
  EXPECT_EQ(pick(from(k10_200_0_10, 80)), b_);     // 13 mod 6 = 1
  EXPECT_EQ(pick(from(k10_200_0_10, 1024)), a_);   // 161 mod 6 = 5
  EXPECT_EQ(pick(from(k10_200_0_10, 40002)), b_);  // 230 mod 6 = 2
  EXPECT_EQ(pick(from(k10_200_0_10, 1, 17)), a_);  // UDP too
  EXPECT_EQ(pick(from(k10_200_0_10, 1, 1)), b_);   // other protocols hash port 0
}

TEST_F(SourceHashingTest, UnusableServerMeansNoServerWithoutFallback) {
  make({});
  add_abc(/*u=*/1);
  VirtualService::bind(*a_, ConnCount::Inactive);  // A overloaded
  EXPECT_EQ(pick(from(k10_0_0_6)), nullptr);       // bucket 16 is A's
  EXPECT_EQ(pick(from(k10_0_0_3)), b_);
  ASSERT_TRUE(svc_->edit_destination(kC, {0, 1, 0}));  // C quiesced; still one bucket
  EXPECT_EQ(sched_->bucket(0), c_);
  EXPECT_EQ(sched_->bucket(1), b_);
  EXPECT_EQ(pick(from(k0_0_0_0)), nullptr);
}

TEST_F(SourceHashingTest, FallbackProbesFromTwiceTheHash) {
  make({.fallback = true, .port = false});
  add_abc(/*u=*/1);
  EXPECT_EQ(pick(from(k10_0_0_6)), a_);            // usable: no probing
  VirtualService::bind(*a_, ConnCount::Inactive);  // A overloaded
  // ihash 16; first probe: roffset 16, bucket (16 + 16) & 255 = 32 -> 32 mod 6 = 2 -> B.
  // (Probing from ihash + 1 = 17 would meet A, A, then C.)
  EXPECT_EQ(pick(from(k10_0_0_6)), b_);
  VirtualService::unbind(*a_, ConnCount::Inactive);
  VirtualService::bind(*b_, ConnCount::Inactive);  // B overloaded
  // ihash 212 (B); first probe bucket 424 & 255 = 168 -> 0 -> C. (212 + 1 would give A.)
  EXPECT_EQ(pick(from(k10_0_0_8)), c_);
}

TEST_F(SourceHashingTest, FallbackSkipsAQuiescedServer) {
  make({.fallback = true, .port = false});
  add_abc();
  ASSERT_TRUE(svc_->edit_destination(kC, {0, 0, 0}));  // table unchanged: C keeps bucket 0
  // ihash 0: probes 0 (C, quiesced), 1 -> B.
  EXPECT_EQ(pick(from(k0_0_0_0)), b_);
}

TEST_F(SourceHashingTest, FallbackWithNothingUsableReturnsNull) {
  make({.fallback = true, .port = true});
  add_abc();
  for (const Endpoint& ep : {kA, kB, kC}) ASSERT_TRUE(svc_->edit_destination(ep, {0, 0, 0}));
  EXPECT_EQ(pick(from(k10_0_0_1)), nullptr);
  EXPECT_EQ(pick(from(k0_0_0_0)), nullptr);
}

TEST_F(SourceHashingTest, EditRebuildsTheTable) {
  make({});
  add_abc();
  EXPECT_EQ(pick(from(k10_0_0_2)), a_);                // 137 mod 6 = 5
  ASSERT_TRUE(svc_->edit_destination(kA, {1, 0, 0}));  // C B B A: period 4
  EXPECT_EQ(pick(from(k10_0_0_2)), b_);                // 137 mod 4 = 1
  EXPECT_EQ(pick(from(k10_0_0_1)), a_);                // 39 mod 4 = 3
}

TEST_F(SourceHashingTest, DeleteAndAddRebuildTheTable) {
  make({});
  add_abc();
  EXPECT_EQ(pick(from(k10_0_0_3)), b_);
  ASSERT_TRUE(svc_->delete_destination(kB));  // C A A A
  EXPECT_EQ(pick(from(k10_0_0_3)), a_);       // 235 mod 4 = 3
  EXPECT_EQ(pick(from(k0_0_0_0)), c_);
  Destination* b = svc_->add_destination(kB, {2, 0, 0});  // B B C A A A
  EXPECT_EQ(pick(from(k0_0_0_0)), b);                     // 0 mod 6 = 0
  EXPECT_EQ(pick(from(k10_0_0_1)), a_);                   // 39 mod 6 = 3
  EXPECT_EQ(pick(from(k10_0_0_8)), c_);                   // 212 mod 6 = 2
}

}  // namespace
}  // namespace lvs
