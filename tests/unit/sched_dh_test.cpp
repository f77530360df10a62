// dh (ip_vs_dh.c): bucket = hash_32(ntohl(daddr), 8) = (daddr * 0x61C88647) >> 24; the 256
// buckets hold the list cycled head first, so bucket i -> list[i mod n]. Bucket numbers below
// were worked out from that formula by hand (calculator), not by running this code.
#include <gtest/gtest.h>

#include <memory>

#include "sched/destination_hashing.h"
#include "sched/ip_vs_hash.h"
#include "service/virtual_service.h"
#include "support/scheduler_fixture.h"

namespace lvs {
namespace {

constexpr Endpoint kA{0x0a000101, 80};
constexpr Endpoint kB{0x0a000102, 80};
constexpr Endpoint kC{0x0a000103, 80};

// Destination addresses of packets and their buckets:
constexpr Ipv4 k10_0_0_1 = 0x0a000001;         // bucket 39  (39 mod 3 = 0, mod 2 = 1)
constexpr Ipv4 k10_0_0_2 = 0x0a000002;         // bucket 137 (mod 3 = 2, mod 2 = 1)
constexpr Ipv4 k10_0_0_3 = 0x0a000003;         // bucket 235 (mod 3 = 1)
constexpr Ipv4 k192_168_1_1 = 0xc0a80101;      // bucket 136 (mod 3 = 1, mod 2 = 0)
constexpr Ipv4 k255_255_255_255 = 0xffffffff;  // bucket 158 (mod 3 = 2)

PacketInfo to(Ipv4 daddr) {
  PacketInfo p;
  p.saddr = 0x01020304;
  p.sport = 40000;
  p.daddr = daddr;
  p.dport = 80;
  return p;
}

TEST(IpVsHash, Hash32IsMainlineGoldenRatio) {
  EXPECT_EQ(hash_32(0, 8), 0u);
  EXPECT_EQ(hash_32(1, 8), 0x61u);  // 0x61C88647 >> 24
  EXPECT_EQ(hash_32(1, 32), 0x61C88647u);
  EXPECT_EQ(hash_32(2, 8), 0xC3u);  // 0xC3910C8E >> 24
  EXPECT_EQ(hash_32(0x0a000001, 8), 39u);
  EXPECT_EQ(hash_32(0xffffffff, 8), 158u);  // -0x61C88647 mod 2^32 = 0x9E3779B9
  EXPECT_EQ(hash_32(0x0a000001, 4), 39u >> 4);
}

class DestinationHashingTest : public test::SchedulerTest<DestinationHashing> {
 protected:
  Destination* pick(Ipv4 daddr) { return SchedulerTest::pick(to(daddr)); }
};

TEST_F(DestinationHashingTest, NameIsDh) { EXPECT_EQ(sched_->name(), "dh"); }

TEST_F(DestinationHashingTest, EmptyServiceHasNoServer) {
  EXPECT_EQ(pick(k10_0_0_1), nullptr);
  EXPECT_EQ(sched_->bucket(0), nullptr);
}

TEST_F(DestinationHashingTest, BucketOfIsHash32OfTheDestination) {
  EXPECT_EQ(DestinationHashing::bucket_of(k10_0_0_1), 39u);
  EXPECT_EQ(DestinationHashing::bucket_of(k10_0_0_2), 137u);
  EXPECT_EQ(DestinationHashing::bucket_of(k10_0_0_3), 235u);
  EXPECT_EQ(DestinationHashing::bucket_of(k192_168_1_1), 136u);
  EXPECT_EQ(DestinationHashing::bucket_of(0x0ac80064), 223u);  // 10.200.0.100
}

TEST_F(DestinationHashingTest, TableCyclesTheListHeadFirst) {
  Destination* a = add(kA);
  Destination* b = add(kB);
  Destination* c = add(kC);  // list C, B, A
  EXPECT_EQ(sched_->bucket(0), c);
  EXPECT_EQ(sched_->bucket(1), b);
  EXPECT_EQ(sched_->bucket(2), a);
  EXPECT_EQ(sched_->bucket(255), c);  // 255 mod 3 = 0
  EXPECT_EQ(pick(k10_0_0_1), c);
  EXPECT_EQ(pick(k10_0_0_2), a);
  EXPECT_EQ(pick(k10_0_0_3), b);
  // The pre-4.x hash ((x * 2654435761) & 255) would put 192.168.1.1 in bucket 177 (C) and
  // 255.255.255.255 in bucket 79 (B).
  EXPECT_EQ(pick(k192_168_1_1), b);
  EXPECT_EQ(pick(k255_255_255_255), a);
  // The source address plays no part.
  PacketInfo other = to(k10_0_0_1);
  other.saddr = 0x0b0b0b0b;
  other.sport = 1;
  EXPECT_EQ(svc_->schedule(other, 0), c);
}

TEST_F(DestinationHashingTest, WeightsDoNotShapeTheTable) {
  Destination* a = add(kA, 5);
  Destination* b = add(kB, 1);
  Destination* c = add(kC, 3);
  EXPECT_EQ(sched_->bucket(0), c);
  EXPECT_EQ(sched_->bucket(1), b);
  EXPECT_EQ(sched_->bucket(2), a);
  EXPECT_EQ(sched_->bucket(3), c);
  ASSERT_TRUE(svc_->edit_destination(kA, {100, 0, 0}));
  EXPECT_EQ(sched_->bucket(2), a);
  EXPECT_EQ(sched_->bucket(3), c);
}

TEST_F(DestinationHashingTest, QuiescedOrOverloadedBucketMeansNoServer) {
  add(kA);
  add(kB);
  Destination* c = add(kC, 1, /*u=*/1);
  ASSERT_TRUE(svc_->edit_destination(kA, {0, 0, 0}));  // A quiesced
  EXPECT_EQ(pick(k10_0_0_2), nullptr);                 // bucket 137 is A's: no fallback
  EXPECT_NE(pick(k10_0_0_3), nullptr);                 // B's bucket still works
  VirtualService::bind(*c, ConnCount::Inactive);       // C overloaded
  EXPECT_EQ(pick(k10_0_0_1), nullptr);
  VirtualService::unbind(*c, ConnCount::Inactive);
  EXPECT_EQ(pick(k10_0_0_1), c);
  ASSERT_TRUE(svc_->edit_destination(kA, {1, 0, 0}));
  EXPECT_NE(pick(k10_0_0_2), nullptr);
}

TEST_F(DestinationHashingTest, DeleteAndAddRebuildTheTable) {
  Destination* a = add(kA);
  add(kB);
  Destination* c = add(kC);                   // list C, B, A
  ASSERT_TRUE(svc_->delete_destination(kB));  // list C, A: bucket i -> i mod 2
  EXPECT_EQ(pick(k10_0_0_1), a);              // 39 mod 2 = 1
  EXPECT_EQ(pick(k10_0_0_2), a);              // 137 mod 2 = 1
  EXPECT_EQ(pick(k192_168_1_1), c);           // 136 mod 2 = 0
  Destination* b = add(kB);                   // list B, C, A
  EXPECT_EQ(pick(k10_0_0_1), b);              // 39 mod 3 = 0
  EXPECT_EQ(pick(k10_0_0_2), a);              // 137 mod 3 = 2
  EXPECT_EQ(pick(k10_0_0_3), c);              // 235 mod 3 = 1
}

}  // namespace
}  // namespace lvs
