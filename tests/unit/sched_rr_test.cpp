// rr (ip_vs_rr.c): expected sequences derived by hand from ip_vs_rr_schedule() and
// ip_vs_rr_del_dest(). Servers added A, B, C sit in list order C, B, A.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "sched/round_robin.h"
#include "service/virtual_service.h"

namespace lvs {
namespace {

constexpr Endpoint kA{0x0a000001, 80};
constexpr Endpoint kB{0x0a000002, 80};
constexpr Endpoint kC{0x0a000003, 80};
constexpr Endpoint kD{0x0a000004, 80};

class RoundRobinTest : public ::testing::Test {
 protected:
  RoundRobinTest() : svc_(config::ServiceKey{}, std::make_unique<RoundRobin>(), {}) {}

  Destination* add(const Endpoint& ep, std::int32_t weight = 1, std::uint32_t u = 0) {
    return svc_.add_destination(ep, DestinationParams{weight, u, 0});
  }
  // The next n decisions as letters ("-" for none).
  std::string picks(int n) {
    std::string out;
    for (int i = 0; i < n; ++i) {
      Destination* d = svc_.schedule(PacketInfo{}, 0);
      out += d == nullptr ? '-' : static_cast<char>('A' + (d->address.addr - kA.addr));
    }
    return out;
  }

  VirtualService svc_;
};

TEST_F(RoundRobinTest, NameIsRr) { EXPECT_EQ(svc_.scheduler().name(), "rr"); }

TEST_F(RoundRobinTest, EmptyServiceHasNoServer) { EXPECT_EQ(picks(2), "--"); }

TEST_F(RoundRobinTest, CyclesInListOrderHeadFirst) {
  add(kA);
  add(kB);
  add(kC);
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
  add(kA);
  add(kB);
  add(kC);
  EXPECT_EQ(picks(1), "C");
  for (const Endpoint& ep : {kA, kB, kC}) svc_.edit_destination(ep, {0, 0, 0});
  EXPECT_EQ(picks(2), "--");
  for (const Endpoint& ep : {kA, kB, kC}) svc_.edit_destination(ep, {1, 0, 0});
  EXPECT_EQ(picks(3), "BAC");  // continues after C, where the pointer stayed
}

TEST_F(RoundRobinTest, DeletingThePointedServerStepsBackOne) {
  add(kA);
  add(kB);
  add(kC);
  EXPECT_EQ(picks(2), "CB");    // pointer on B (list C, B, A)
  svc_.delete_destination(kB);  // ip_vs_rr_del_dest: pointer to C, B's predecessor
  // Next is C's successor A (a pointer reset to the head would give C).
  EXPECT_EQ(picks(3), "ACA");
}

TEST_F(RoundRobinTest, DeletingThePointedHeadServerMovesToTheSentinel) {
  add(kA);
  add(kB);
  add(kC);
  EXPECT_EQ(picks(1), "C");     // pointer on C, the head
  svc_.delete_destination(kC);  // predecessor is the head sentinel
  EXPECT_EQ(picks(3), "BAB");
}

TEST_F(RoundRobinTest, DeletingAnotherServerKeepsThePointer) {
  add(kA);
  add(kB);
  add(kC);
  add(kD);                      // list D, C, B, A
  EXPECT_EQ(picks(2), "DC");    // pointer on C
  svc_.delete_destination(kD);  // before the pointer
  EXPECT_EQ(picks(1), "B");
  svc_.delete_destination(kA);  // after the pointer
  EXPECT_EQ(picks(3), "CBC");
}

TEST_F(RoundRobinTest, AddingAtTheHeadDoesNotMoveThePointer) {
  add(kA);
  add(kB);
  add(kC);
  EXPECT_EQ(picks(1), "C");
  add(kD);  // list D, C, B, A; pointer still on C
  EXPECT_EQ(picks(5), "BADCB");
}

TEST_F(RoundRobinTest, EditKeepsPositionAndPointer) {
  add(kA);
  add(kB);
  add(kC);
  EXPECT_EQ(picks(1), "C");
  svc_.edit_destination(kA, {3, 0, 0});
  EXPECT_EQ(picks(4), "BACB");
}

TEST_F(RoundRobinTest, ReaddedServerGoesToTheHead) {
  add(kA);
  add(kB);
  add(kC);
  EXPECT_EQ(picks(2), "CB");  // pointer on B
  svc_.delete_destination(kA);
  add(kA);  // list A, C, B
  EXPECT_EQ(picks(4), "ACBA");
}

TEST_F(RoundRobinTest, SingleServerAlwaysChosen) {
  add(kA);
  EXPECT_EQ(picks(3), "AAA");
}

TEST(RoundRobinStandalone, WorksOnAPlainList) {
  Destination a, b;
  a.list_seq = 1;
  b.list_seq = 2;
  std::vector<Destination*> list{&a};
  RoundRobin rr;
  rr.destination_added(list, a);
  list.insert(list.begin(), &b);
  rr.destination_added(list, b);
  EXPECT_EQ(rr.schedule(list, {}, 0), &b);
  EXPECT_EQ(rr.schedule(list, {}, 0), &a);
  EXPECT_EQ(rr.schedule(list, {}, 0), &b);
}

}  // namespace
}  // namespace lvs
