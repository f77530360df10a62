// sed (ip_vs_sed.c): the least expected delay (activeconns + 1)/weight, compared as
// (a_x + 1) * w_y vs (a_y + 1) * w_x in 64 bits, weight 0 and overloaded (or dead) servers
// skipped, ties to the server nearest the list head. Hand-derived cases, then a randomized
// differential test of the heap index against a transcription of the kernel's scan.
// Servers added A, B, C sit in list order C, B, A.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "sched/shortest_expected_delay.h"
#include "sched/weighted_least_connection.h"
#include "service/virtual_service.h"
#include "support/indexed_scheduler_tests.h"
#include "support/scheduler_fixture.h"

namespace lvs {
namespace {

constexpr Endpoint kA{0x0a000001, 80};
constexpr Endpoint kB{0x0a000002, 80};
constexpr Endpoint kC{0x0a000003, 80};

// ip_vs_sed_schedule(), transcribed: the first server neither overloaded nor of weight <= 0,
// then any later non-overloaded one whose (active + 1) * least's weight is strictly below
// least's (active + 1) * its weight. Destination::blocked() stands where the kernel tests
// IP_VS_DEST_F_OVERLOAD.
Destination* kernel_sed_schedule(DestinationList list) {
  std::size_t i = 0;
  Destination* least = nullptr;
  for (; i < list.size(); ++i) {
    if (!list[i]->blocked() && list[i]->weight > 0) {
      least = list[i];
      break;
    }
  }
  if (least == nullptr) return nullptr;
  std::int64_t loh = std::int64_t{least->activeconns} + 1;
  for (++i; i < list.size(); ++i) {
    Destination* d = list[i];
    if (d->blocked()) continue;
    const std::int64_t doh = std::int64_t{d->activeconns} + 1;
    if (loh * d->weight > doh * least->weight) {
      least = d;
      loh = doh;
    }
  }
  return least;
}

class ShortestExpectedDelayTest : public test::SchedulerTest<ShortestExpectedDelay> {
 protected:
  std::string picks(int n) { return SchedulerTest::picks(n, kA.addr); }
  std::string place(int n) { return test::place_active(*svc_, n, kA.addr); }
  static void bind_n(Destination& d, ConnCount c, int n) {
    for (int i = 0; i < n; ++i) VirtualService::bind(d, c);
  }
};

TEST_F(ShortestExpectedDelayTest, NameIsSed) { EXPECT_EQ(sched_->name(), "sed"); }

TEST_F(ShortestExpectedDelayTest, EmptyServiceHasNoServer) { EXPECT_EQ(pick(), nullptr); }

TEST_F(ShortestExpectedDelayTest, EqualDelaysGoToTheHead) {
  Destination* a = add(kA, 1);
  Destination* b = add(kB, 2);
  Destination* c = add(kC, 3);       // list C, B, A
  EXPECT_EQ(pick(), c);              // 1/3 < 1/2 < 1/1
  bind_n(*c, ConnCount::Active, 2);  // C (2 + 1) / 3 = 1
  bind_n(*b, ConnCount::Active, 1);  // B (1 + 1) / 2 = 1, A (0 + 1) / 1 = 1
  EXPECT_EQ(pick(), c);
  VirtualService::bind(*c, ConnCount::Active);  // C 4/3 > 1
  EXPECT_EQ(pick(), b);
  VirtualService::bind(*b, ConnCount::Active);  // B 3/2 > 1
  EXPECT_EQ(pick(), a);
}

TEST_F(ShortestExpectedDelayTest, TheConnectionBeingPlacedCounts) {
  Destination* a = add(kA, 1);
  add(kB, 4);  // list B, A
  // Each connection bound Active to the server chosen for it. sed: A (0 + 1)/1 = 1 against
  // B 1/4 2/4 3/4 4/4 (= A's 1: B, the head) 5/4 > 1 -> A (now 2/1); B 5/4 6/4 7/4 8/4 (= 2:
  // B) 9/4 > 2 -> A. (wlc would send the second connection to idle A: 0/1 < 256/4.)
  EXPECT_EQ(place(10), "BBBBABBBBA");
  EXPECT_EQ(a->activeconns, 2u);
}

TEST_F(ShortestExpectedDelayTest, InactiveConnectionsAreIgnored) {
  Destination* a = add(kA);
  Destination* b = add(kB);                     // list B, A
  bind_n(*b, ConnCount::Inactive, 1000);        // B (0 + 1)/1, inactive not counted
  EXPECT_EQ(pick(), b);                         // tie with A: B is the head
  VirtualService::bind(*a, ConnCount::Active);  // A 2/1
  EXPECT_EQ(pick(), b);
  VirtualService::set_active(*b, true);  // one of B's 1000 becomes active: B 2/1 ties A
  EXPECT_EQ(pick(), b);
  VirtualService::set_active(*b, true);  // B 3/1
  EXPECT_EQ(pick(), a);
}

TEST_F(ShortestExpectedDelayTest, QuiescedServerIsNeverChosen) {
  Destination* a = add(kA, 1);
  add(kB, 0);  // list B, A: the head is quiesced and idle
  bind_n(*a, ConnCount::Active, 50);
  EXPECT_EQ(pick(), a);  // 51/1, but B has weight 0
  ASSERT_TRUE(svc_->edit_destination(kA, {0, 0, 0}));
  EXPECT_EQ(pick(), nullptr);
  ASSERT_TRUE(svc_->edit_destination(kB, {1, 0, 0}));
  EXPECT_EQ(pick(), svc_->find(kB));
}

TEST_F(ShortestExpectedDelayTest, OverloadedServerIsSkippedUntilBelowThreshold) {
  Destination* a = add(kA, 1);
  Destination* b = add(kB, 10, /*u=*/2);  // list B, A
  bind_n(*a, ConnCount::Active, 3);       // A 4/1
  VirtualService::bind(*b, ConnCount::Inactive);
  EXPECT_EQ(pick(), b);                           // B 1/10
  VirtualService::bind(*b, ConnCount::Inactive);  // total 2 >= u 2: overloaded
  ASSERT_TRUE(b->overloaded);
  EXPECT_EQ(pick(), a);
  VirtualService::unbind(*b, ConnCount::Inactive);  // 1 * 4 < 2 * 3: cleared
  ASSERT_FALSE(b->overloaded);
  EXPECT_EQ(pick(), b);
}

TEST_F(ShortestExpectedDelayTest, DeadHostIsSkippedUntilAlive) {
  Destination* a = add(kA, 1);
  Destination* b = add(kB, 5);  // list B, A; B 1/5 < A 1/1
  EXPECT_EQ(pick(), b);
  VirtualService::set_dead(*b, true);
  EXPECT_EQ(pick(), a);
  VirtualService::set_dead(*a, true);
  EXPECT_EQ(pick(), nullptr);
  VirtualService::set_dead(*b, false);
  EXPECT_EQ(pick(), b);
}

TEST_F(ShortestExpectedDelayTest, AddsAndDeletesMoveTheHead) {
  add(kA);
  add(kB);  // list B, A, all 1/1
  EXPECT_EQ(picks(1), "B");
  Destination* c = add(kC);  // list C, B, A
  EXPECT_EQ(picks(1), "C");
  VirtualService::bind(*c, ConnCount::Active);  // C 2/1; C is referenced by the connection
  EXPECT_EQ(picks(1), "B");
  ASSERT_TRUE(svc_->delete_destination(kB));  // list C, A
  EXPECT_EQ(picks(1), "A");
  ASSERT_TRUE(svc_->delete_destination(kC));  // C in the trash with its connection
  EXPECT_EQ(picks(1), "A");
  EXPECT_EQ(add(kC), c);  // revived at the head with active 1: C 2/1 > A 1/1
  EXPECT_EQ(picks(1), "A");
  VirtualService::unbind(*c, ConnCount::Active);  // C 1/1 ties A: C is the head now
  EXPECT_EQ(picks(1), "C");
}

TEST_F(ShortestExpectedDelayTest, WeightEditKeepsTheListPosition) {
  Destination* a = add(kA, 1);
  Destination* b = add(kB, 1);       // list B, A
  bind_n(*a, ConnCount::Active, 1);  // A 2/1
  bind_n(*b, ConnCount::Active, 2);  // B 3/1
  EXPECT_EQ(pick(), a);
  ASSERT_TRUE(svc_->edit_destination(kB, {3, 0, 0}));  // B 3/3 = 1 < 2
  EXPECT_EQ(pick(), b);
  ASSERT_TRUE(svc_->edit_destination(kA, {2, 0, 0}));  // A 2/2 = 1: tie, B still the head
  EXPECT_EQ(pick(), b);
  ASSERT_TRUE(svc_->edit_destination(kA, {3, 0, 0}));  // A 2/3 < 1
  EXPECT_EQ(pick(), a);
}

TEST_F(ShortestExpectedDelayTest, ProductsPast32BitsCompareExactly) {
  Destination* a = add(kA, 65535);
  Destination* b = add(kB, 65535);              // list B, A
  bind_n(*a, ConnCount::Active, 65536);         // (65536 + 1) * 65535 = 4294967295 = 2^32 - 1
  bind_n(*b, ConnCount::Active, 65537);         // (65537 + 1) * 65535 = 4295032830: 65534 mod 2^32
  EXPECT_EQ(pick(), a);                         // a 32-bit product would have chosen B
  VirtualService::bind(*a, ConnCount::Active);  // both 65538 * 65535: B, the head
  EXPECT_EQ(pick(), b);
}

TEST(ShortestExpectedDelaySwitch, StartsFromTheCurrentList) {
  VirtualService svc(config::ServiceKey{}, std::make_unique<WeightedLeastConnection>(), {});
  Destination* a = svc.add_destination(kA, {});
  Destination* b = svc.add_destination(kB, {});  // list B, A
  VirtualService::bind(*a, ConnCount::Active);
  for (int i = 0; i < 300; ++i) VirtualService::bind(*b, ConnCount::Inactive);
  EXPECT_EQ(svc.schedule({}, 0), a);  // wlc: A 256 < B 300
  // ipvsadm -E -s sed: A (1 + 1)/1 against B (0 + 1)/1, B's inactive ignored.
  auto sed = std::make_unique<ShortestExpectedDelay>();
  const ShortestExpectedDelay* index = sed.get();
  svc.set_scheduler(std::move(sed), {});
  EXPECT_EQ(svc.schedule({}, 0), b);
  EXPECT_TRUE(index->index().valid());
  EXPECT_EQ(index->index().size(), 2u);
}

// Random -a/-e/-d, connection and dead-host changes; after each, the index's answer must be
// the kernel scan's.
TEST(ShortestExpectedDelayDifferential, MatchesTheKernelScan) {
  for (std::uint32_t seed : {1u, 2u, 3u}) {
    test::DecisionCounts counts;
    test::expect_kernel_decisions<ShortestExpectedDelay>({.seed = seed}, &kernel_sed_schedule,
                                                         counts);
    ASSERT_FALSE(HasFatalFailure());
    EXPECT_GT(counts.first_usable, 3000) << "seed " << seed;
    EXPECT_GT(counts.further, 3000) << "seed " << seed;
  }
}

}  // namespace
}  // namespace lvs
