// fo (ip_vs_fo.c, weighted failover): the server with the highest weight among those neither
// overloaded nor dead, ties to the one nearest the list head; weight 0 is never chosen and
// connection counts play no part. Hand-derived cases, then a randomized differential test of the
// index against a transcription of the kernel's scan. Servers added A, B, C sit in list order
// C, B, A.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "sched/weighted_failover.h"
#include "service/virtual_service.h"
#include "support/indexed_scheduler_tests.h"
#include "support/scheduler_fixture.h"

namespace lvs {
namespace {

constexpr Endpoint kA{0x0a000001, 80};
constexpr Endpoint kB{0x0a000002, 80};
constexpr Endpoint kC{0x0a000003, 80};
constexpr Endpoint kD{0x0a000004, 80};

// ip_vs_fo_schedule(), transcribed: in list order, a non-overloaded server whose weight is
// strictly above the highest seen so far (starting at 0) becomes the candidate.
// Destination::blocked() stands where the kernel tests IP_VS_DEST_F_OVERLOAD.
Destination* kernel_fo_schedule(DestinationList list) {
  Destination* hweight = nullptr;
  std::int32_t hw = 0;
  for (Destination* d : list) {
    if (!d->blocked() && d->weight > hw) {
      hweight = d;
      hw = d->weight;
    }
  }
  return hweight;
}

class WeightedFailoverTest : public test::SchedulerTest<WeightedFailover> {
 protected:
  std::string picks(int n) { return SchedulerTest::picks(n, kA.addr); }
  std::string place(int n) { return test::place_active(*svc_, n, kA.addr); }
};

TEST_F(WeightedFailoverTest, NameIsFo) { EXPECT_EQ(sched_->name(), "fo"); }

TEST_F(WeightedFailoverTest, EmptyServiceHasNoServer) { EXPECT_EQ(pick(), nullptr); }

TEST_F(WeightedFailoverTest, HighestWeightTakesEveryConnectionWhateverItsLoad) {
  add(kA, 5);
  add(kB, 3);
  Destination* c = add(kC, 1);  // list C, B, A
  for (int i = 0; i < 100; ++i) VirtualService::bind(*c, ConnCount::Inactive);
  EXPECT_EQ(place(6), "AAAAAA");  // A's 6 active connections change nothing
}

TEST_F(WeightedFailoverTest, EqualWeightsGoToTheHead) {
  add(kA, 5);
  add(kB, 5);  // list B, A
  EXPECT_EQ(picks(2), "BB");
  add(kC, 5);  // list C, B, A
  EXPECT_EQ(picks(1), "C");
  add(kD, 4);  // list D, C, B, A: the head, but lighter
  EXPECT_EQ(picks(1), "C");
}

TEST_F(WeightedFailoverTest, OverloadFailsOverToTheNextWeightAndBack) {
  Destination* a = add(kA, 5, /*u=*/2);
  add(kB, 3);
  add(kC, 3);  // list C, B, A
  EXPECT_EQ(picks(1), "A");
  VirtualService::bind(*a, ConnCount::Inactive);
  VirtualService::bind(*a, ConnCount::Inactive);  // total 2 >= u 2: overloaded
  ASSERT_TRUE(a->overloaded);
  EXPECT_EQ(picks(1), "C");                         // B and C weigh 3: C, the head
  VirtualService::unbind(*a, ConnCount::Inactive);  // 1 * 4 < 2 * 3: cleared
  EXPECT_EQ(picks(1), "A");
}

TEST_F(WeightedFailoverTest, DeadHostFailsOverUntilAlive) {
  Destination* a = add(kA, 5);
  Destination* b = add(kB, 3);  // list B, A
  EXPECT_EQ(pick(), a);
  VirtualService::set_dead(*a, true);
  EXPECT_EQ(pick(), b);
  VirtualService::set_dead(*b, true);
  EXPECT_EQ(pick(), nullptr);
  VirtualService::set_dead(*a, false);
  EXPECT_EQ(pick(), a);
}

TEST_F(WeightedFailoverTest, WeightZeroIsNeverChosen) {
  add(kA, 0);
  EXPECT_EQ(pick(), nullptr);  // hw starts at 0: 0 > 0 is false
  add(kB, 0);
  EXPECT_EQ(pick(), nullptr);
  ASSERT_TRUE(svc_->edit_destination(kA, {1, 0, 0}));
  EXPECT_EQ(picks(1), "A");
}

TEST_F(WeightedFailoverTest, WeightEditsMoveTheTrafficAndKeepListPositions) {
  add(kA, 5);
  add(kB, 3);  // list B, A
  EXPECT_EQ(picks(1), "A");
  ASSERT_TRUE(svc_->edit_destination(kB, {7, 0, 0}));
  EXPECT_EQ(picks(1), "B");
  ASSERT_TRUE(svc_->edit_destination(kB, {5, 0, 0}));  // 5 == 5: B is still the head
  EXPECT_EQ(picks(1), "B");
  ASSERT_TRUE(svc_->edit_destination(kB, {4, 0, 0}));
  EXPECT_EQ(picks(1), "A");
  ASSERT_TRUE(svc_->edit_destination(kA, {0, 0, 0}));
  EXPECT_EQ(picks(1), "B");
}

TEST_F(WeightedFailoverTest, DeleteFailsOverAndReaddTakesItBack) {
  add(kA, 5);
  add(kB, 3);  // list B, A
  EXPECT_EQ(picks(1), "A");
  ASSERT_TRUE(svc_->delete_destination(kA));
  EXPECT_EQ(picks(1), "B");
  add(kA, 3);  // list A, B: equal weights, A is the head now
  EXPECT_EQ(picks(1), "A");
  ASSERT_TRUE(svc_->delete_destination(kB));
  add(kB, 3);  // list B, A
  EXPECT_EQ(picks(1), "B");
}

// Random -a/-e/-d, connection and dead-host changes; after each, the index's answer must be
// the kernel scan's.
TEST(WeightedFailoverDifferential, MatchesTheKernelScan) {
  for (std::uint32_t seed : {1u, 2u, 3u}) {
    test::DecisionCounts counts;
    test::expect_kernel_decisions<WeightedFailover>({.seed = seed}, &kernel_fo_schedule, counts);
    ASSERT_FALSE(HasFatalFailure());
    // A heavier server further down, and the head itself, both won often.
    EXPECT_GT(counts.first_usable, 3000) << "seed " << seed;
    EXPECT_GT(counts.further, 3000) << "seed " << seed;
  }
}

}  // namespace
}  // namespace lvs
