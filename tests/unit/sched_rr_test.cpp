// rr (ip_vs_rr.c): expected sequences derived by hand from ip_vs_rr_schedule() and
// ip_vs_rr_del_dest(). Servers added A, B, C sit in list order C, B, A.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "sched/round_robin.h"
#include "service/virtual_service.h"
#include "support/scheduler_fixture.h"

namespace lvs {
namespace {

constexpr Endpoint kA{0x0a000001, 80};
constexpr Endpoint kB{0x0a000002, 80};
constexpr Endpoint kC{0x0a000003, 80};
constexpr Endpoint kD{0x0a000004, 80};

class RoundRobinTest : public test::SchedulerTest<RoundRobin> {
 protected:
  // The next n decisions as letters ("-" for none).
  std::string picks(int n) { return SchedulerTest::picks(n, kA.addr); }
  // A, B, C with weight 1: list C, B, A.
  void add_abc() {
    add(kA);
    add(kB);
    add(kC);
  }
};

TEST_F(RoundRobinTest, NameIsRr) { EXPECT_EQ(svc_->scheduler().name(), "rr"); }

TEST_F(RoundRobinTest, EmptyServiceHasNoServer) { EXPECT_EQ(picks(2), "--"); }

TEST_F(RoundRobinTest, CyclesInListOrderHeadFirst) {
  add_abc();
  // The pointer starts on the head sentinel: C (head), B, A, then round again.
  EXPECT_EQ(picks(7), "CBACBAC");
}

TEST_F(RoundRobinTest, WeightsOtherThanZeroDoNotMatter) {
  add(kA, 5);
  add(kB, 1);
  add(kC, 100);
  EXPECT_EQ(picks(6), "CBACBA");
}

TEST_F(RoundRobinTest, QuiescedServerIsSkipped) {
  add(kA);
  add(kB, 0);
  add(kC);
  EXPECT_EQ(picks(5), "CACAC");
}

TEST_F(RoundRobinTest, OverloadedServerIsSkippedUntilBelowThreshold) {
  add(kA);
  Destination* b = add(kB, 1, /*u=*/1);
  add(kC);
  VirtualService::bind(*b, ConnCount::Inactive);  // 1 >= u_threshold 1: overloaded
  ASSERT_TRUE(b->overloaded);
  EXPECT_EQ(picks(3), "CAC");
  VirtualService::unbind(*b, ConnCount::Inactive);  // 0 < 3/4 of 1: usable again
  ASSERT_FALSE(b->overloaded);
  EXPECT_EQ(picks(3), "BAC");  // the pointer was on C
}

TEST_F(RoundRobinTest, NothingUsableReturnsNullAndKeepsThePointer) {
  add_abc();
  EXPECT_EQ(picks(1), "C");
  for (const Endpoint& ep : {kA, kB, kC}) svc_->edit_destination(ep, {0, 0, 0});
  EXPECT_EQ(picks(2), "--");
  for (const Endpoint& ep : {kA, kB, kC}) svc_->edit_destination(ep, {1, 0, 0});
  EXPECT_EQ(picks(3), "BAC");  // continues after C, where the pointer stayed
}

TEST_F(RoundRobinTest, DeletingThePointedServerStepsBackOne) {
  add_abc();
  EXPECT_EQ(picks(2), "CB");     // pointer on B (list C, B, A)
  svc_->delete_destination(kB);  // ip_vs_rr_del_dest: pointer to C, B's predecessor
  // Next is C's successor A (a pointer reset to the head would give C).
  EXPECT_EQ(picks(3), "ACA");
}

TEST_F(RoundRobinTest, DeletingThePointedHeadServerMovesToTheSentinel) {
  add_abc();
  EXPECT_EQ(picks(1), "C");      // pointer on C, the head
  svc_->delete_destination(kC);  // predecessor is the head sentinel
  EXPECT_EQ(picks(3), "BAB");
}

TEST_F(RoundRobinTest, DeletingAnotherServerKeepsThePointer) {
  add_abc();
  add(kD);                       // list D, C, B, A
  EXPECT_EQ(picks(2), "DC");     // pointer on C
  svc_->delete_destination(kD);  // before the pointer
  EXPECT_EQ(picks(1), "B");
  svc_->delete_destination(kA);  // after the pointer
  EXPECT_EQ(picks(3), "CBC");
}

TEST_F(RoundRobinTest, AddingAtTheHeadDoesNotMoveThePointer) {
  add_abc();
  EXPECT_EQ(picks(1), "C");
  add(kD);  // list D, C, B, A; pointer still on C
  EXPECT_EQ(picks(5), "BADCB");
}

TEST_F(RoundRobinTest, EditKeepsPositionAndPointer) {
  add_abc();
  EXPECT_EQ(picks(1), "C");
  svc_->edit_destination(kA, {3, 0, 0});
  EXPECT_EQ(picks(4), "BACB");
}

TEST_F(RoundRobinTest, ReaddedServerGoesToTheHead) {
  add_abc();
  EXPECT_EQ(picks(2), "CB");  // pointer on B
  svc_->delete_destination(kA);
  add(kA);  // list A, C, B
  EXPECT_EQ(picks(4), "ACBA");
}

TEST_F(RoundRobinTest, SingleServerAlwaysChosen) {
  add(kA);
  EXPECT_EQ(picks(3), "AAA");
}

TEST(RoundRobinStandalone, WorksOnAPlainList) {
  Destination a, b;
  std::vector<Destination*> list;
  RoundRobin rr;
  test::link_at_head(rr, list, a, 1);
  test::link_at_head(rr, list, b, 2);
  EXPECT_EQ(rr.schedule(list, {}, 0), &b);
  EXPECT_EQ(rr.schedule(list, {}, 0), &a);
  EXPECT_EQ(rr.schedule(list, {}, 0), &b);
}

}  // namespace
}  // namespace lvs
