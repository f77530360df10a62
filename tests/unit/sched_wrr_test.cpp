// wrr (ip_vs_wrr.c): sequences derived by hand from ip_vs_wrr_schedule() and
// ip_vs_wrr_dest_changed(). Servers added A, B, C sit in list order C, B, A. Notation in the
// comments: cw = current weight, mw = max weight - (gcd - 1), di = gcd, cl = position.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "sched/weighted_round_robin.h"
#include "service/virtual_service.h"
#include "support/scheduler_fixture.h"

namespace lvs {
namespace {

constexpr Endpoint kA{0x0a000001, 80};
constexpr Endpoint kB{0x0a000002, 80};
constexpr Endpoint kC{0x0a000003, 80};

class WeightedRoundRobinTest : public test::SchedulerTest<WeightedRoundRobin> {
 protected:
  void edit(const Endpoint& ep, std::int32_t weight, std::uint32_t u = 0) {
    ASSERT_TRUE(svc_->edit_destination(ep, DestinationParams{weight, u, 0}));
  }
  std::string picks(int n) { return SchedulerTest::picks(n, kA.addr); }
};

TEST_F(WeightedRoundRobinTest, NameIsWrr) { EXPECT_EQ(sched_->name(), "wrr"); }

TEST_F(WeightedRoundRobinTest, EmptyServiceHasNoServer) { EXPECT_EQ(picks(2), "--"); }

TEST_F(WeightedRoundRobinTest, Weights432InterleaveAfterAStartAtCw1) {
  add(kA, 4);  // di 4, mw 1, cw 0 -> mw = 1
  add(kB, 3);  // di 1, mw 4, cw 1 kept (not 0, not > mw, di == 1)
  add(kC, 2);  // di 1, mw 4, cw 1 kept
  EXPECT_EQ(sched_->current_weight(), 1);
  EXPECT_EQ(sched_->max_weight(), 4);
  EXPECT_EQ(sched_->weight_step(), 1);
  // cw 1: C B A; wrap -> cw 4: A; cw 3: B A; cw 2: C B A; cw 1: C B A; cw 4: A ...
  EXPECT_EQ(picks(3), "CBA");
  EXPECT_EQ(picks(9), "ABACBACBA");
  EXPECT_EQ(picks(9), "ABACBACBA");  // A 4, B 3, C 2 per cycle
}

TEST_F(WeightedRoundRobinTest, EditResetsPositionToHeadButKeepsCw) {
  add(kA, 4);
  add(kB, 3);
  add(kC, 2);
  EXPECT_EQ(picks(5), "CBAAB");  // now cl = B, cw = 3
  EXPECT_EQ(sched_->current_weight(), 3);
  edit(kB, 3);  // no real change, but cl -> head, cw 3 kept
  EXPECT_EQ(sched_->current_weight(), 3);
  // From the head with cw 3: C(2) no, B(3) yes. Without the reset the next would be A.
  EXPECT_EQ(picks(2), "BA");
}

TEST_F(WeightedRoundRobinTest, EditClampsCwToTheNewMaximum) {
  add(kA, 4);
  add(kB, 3);
  add(kC, 2);
  EXPECT_EQ(picks(4), "CBAA");  // cl = A, cw = 4
  EXPECT_EQ(sched_->current_weight(), 4);
  edit(kA, 2);  // weights C2 B3 A2: di 1, mw 3, cw 4 > 3 -> 3
  EXPECT_EQ(sched_->current_weight(), 3);
  // cw 3 from head: B; then A(2) no -> cw 2: C B A; cw 1: C B A; cw 0 -> 3: B ...
  EXPECT_EQ(picks(8), "BCBACBAB");
}

TEST_F(WeightedRoundRobinTest, GcdAboveOneAdjustsMaxAndCw) {
  add(kA, 4);  // di 4, mw 1, cw 1
  add(kB, 2);  // di 2, mw 4 - 1 = 3, cw 1 -> (1 / 2) * 2 + 1 = 1
  EXPECT_EQ(sched_->weight_step(), 2);
  EXPECT_EQ(sched_->max_weight(), 3);
  EXPECT_EQ(sched_->current_weight(), 1);
  // cw 1: B A; cw -1 -> 3: A; cw 1: B A; cw 3: A ... (A 2 : B 1)
  EXPECT_EQ(picks(8), "BAABAABA");
}

TEST_F(WeightedRoundRobinTest, CwIsRoundedToTheStepGridWhenGcdGrows) {
  add(kA, 4);
  add(kB, 3);  // list B(3), A(4); di 1, mw 4, cw 1
  // cw 1: B A; cw 4: A; cw 3: B A; cw 2: B (cl = B, cw = 2)
  EXPECT_EQ(picks(6), "BAABAB");
  EXPECT_EQ(sched_->current_weight(), 2);
  edit(kB, 2);  // di 2, mw 3, cw 2 -> (2 / 2) * 2 + 1 = 3; cl -> head
  EXPECT_EQ(sched_->current_weight(), 3);
  // cw 3 from head: B(2) no, A yes. (A kept cw 2 would pick B.) Then cw 1: B A; cw 3: A.
  EXPECT_EQ(picks(4), "ABAA");
}

TEST_F(WeightedRoundRobinTest, QuiescedServerIsNeverChosen) {
  add(kA, 2);  // di 2, mw 1, cw 1
  add(kB, 0);  // di 2, mw 1, cw (1 / 2) * 2 + 1 = 1
  add(kC, 1);  // di 1, mw 2, cw 1; list C(1) B(0) A(2)
  // cw 1: C A; cw 0 -> 2: A; cw 1: C A; ...
  EXPECT_EQ(picks(9), "CAACAACAA");
}

TEST_F(WeightedRoundRobinTest, AllWeightsZeroMeansNoServer) {
  add(kA, 0);
  add(kB, 0);
  EXPECT_EQ(sched_->max_weight(), 0);
  EXPECT_EQ(picks(3), "---");
  edit(kA, 1);  // di 1, mw 1, cw 0 -> 1
  EXPECT_EQ(picks(2), "AA");
}

TEST_F(WeightedRoundRobinTest, OverloadedServerIsSkipped) {
  Destination* a = add(kA, 4, /*u=*/1);
  add(kB, 3);
  add(kC, 2);
  VirtualService::bind(*a, ConnCount::Active);
  ASSERT_TRUE(a->overloaded);
  // cw 1: C B; A skipped -> cw 4: none, cw 3: B; cw 2: C B; cw 1: C B; cw 4: none, cw 3: B
  EXPECT_EQ(picks(8), "CBBCBCBB");
}

TEST_F(WeightedRoundRobinTest, AllOverloadedFromHeadReturnsNull) {
  Destination* a = add(kA, 1, /*u=*/1);
  VirtualService::bind(*a, ConnCount::Inactive);
  EXPECT_EQ(picks(2), "--");
  VirtualService::unbind(*a, ConnCount::Inactive);
  EXPECT_EQ(picks(2), "AA");
}

TEST_F(WeightedRoundRobinTest, AllOverloadedFromAServerStopsAfterOneRound) {
  Destination* a = add(kA, 1, /*u=*/1);
  Destination* b = add(kB, 1, /*u=*/1);
  EXPECT_EQ(picks(1), "B");  // cl = B
  VirtualService::bind(*a, ConnCount::Inactive);
  VirtualService::bind(*b, ConnCount::Inactive);
  // cl B: A overloaded; cw 0 -> 1, restarted, last pass: stop at B; B overloaded -> none.
  EXPECT_EQ(picks(1), "-");
  VirtualService::unbind(*a, ConnCount::Inactive);
  // err_over left cl on B: next is A.
  EXPECT_EQ(picks(1), "A");
}

TEST_F(WeightedRoundRobinTest, DeleteResetsPositionAndRecomputes) {
  add(kA, 4);
  add(kB, 3);
  add(kC, 2);
  EXPECT_EQ(picks(4), "CBAA");                // cl A, cw 4
  ASSERT_TRUE(svc_->delete_destination(kA));  // C2 B3: di 1, mw 3, cw 4 > 3 -> 3
  EXPECT_EQ(sched_->current_weight(), 3);
  // cw 3: B; cw 2: C B; cw 1: C B; cw 3: B
  EXPECT_EQ(picks(6), "BCBCBB");
}

TEST_F(WeightedRoundRobinTest, AddResetsPositionToHead) {
  add(kA, 1);
  add(kB, 1);                // list B A, di 1, mw 1, cw 1
  EXPECT_EQ(picks(1), "B");  // cl = B
  add(kC, 1);                // list C B A, cl -> head, cw 1 kept
  EXPECT_EQ(picks(4), "CBAC");
}

}  // namespace
}  // namespace lvs
