// lc (ip_vs_lc.c): least overhead = (active << 8) + inactive, weight 0 and overloaded servers
// skipped, ties to the server nearest the list head. Hand-derived cases, then a randomized
// differential test of the heap index against the kernel's linear scan.
#include <gtest/gtest.h>

#include <memory>
#include <utility>

#include "sched/least_connection.h"
#include "service/virtual_service.h"
#include "support/kernel_reference.h"
#include "support/random_service_ops.h"
#include "support/scheduler_fixture.h"

namespace lvs {
namespace {

constexpr Endpoint kA{0x0a000001, 80};
constexpr Endpoint kB{0x0a000002, 80};
constexpr Endpoint kC{0x0a000003, 80};

class LeastConnectionTest : public test::SchedulerTest<LeastConnection> {};

TEST_F(LeastConnectionTest, NameIsLc) { EXPECT_EQ(sched_->name(), "lc"); }

TEST_F(LeastConnectionTest, EmptyServiceHasNoServer) { EXPECT_EQ(pick(), nullptr); }

TEST_F(LeastConnectionTest, LeastOverheadWinsTiesGoToTheHead) {
  Destination* a = add(kA);
  Destination* b = add(kB);
  Destination* c = add(kC);                       // list C, B, A
  EXPECT_EQ(pick(), c);                           // all 0: the head
  VirtualService::bind(*c, ConnCount::Active);    // C 256
  EXPECT_EQ(pick(), b);                           // B 0, A 0: B is nearer the head
  VirtualService::bind(*b, ConnCount::Inactive);  // B 1
  EXPECT_EQ(pick(), a);
  VirtualService::bind(*a, ConnCount::Inactive);  // A 1, B 1, C 256
  EXPECT_EQ(pick(), b);
}

TEST_F(LeastConnectionTest, ActiveCountsAs256Inactive) {
  Destination* a = add(kA);
  Destination* b = add(kB);                     // list B, A
  VirtualService::bind(*b, ConnCount::Active);  // B 256
  for (int i = 0; i < 255; ++i) VirtualService::bind(*a, ConnCount::Inactive);
  EXPECT_EQ(pick(), a);  // 255 < 256
  VirtualService::bind(*a, ConnCount::Inactive);
  EXPECT_EQ(pick(), b);                   // 256 == 256: the head
  VirtualService::set_active(*b, false);  // B 1 inactive
  EXPECT_EQ(pick(), b);
  VirtualService::set_active(*b, true);
  VirtualService::bind(*a, ConnCount::Inactive);  // A 257
  EXPECT_EQ(pick(), b);
}

TEST_F(LeastConnectionTest, WeightIsIgnoredExceptZero) {
  Destination* a = add(kA, 100);
  Destination* b = add(kB, 1);  // list B, A
  VirtualService::bind(*a, ConnCount::Inactive);
  EXPECT_EQ(pick(), b);  // lc does not divide by weight
  ASSERT_TRUE(svc_->edit_destination(kB, {0, 0, 0}));
  EXPECT_EQ(pick(), a);  // quiesced B skipped despite the lower overhead
  ASSERT_TRUE(svc_->edit_destination(kA, {0, 0, 0}));
  EXPECT_EQ(pick(), nullptr);
  ASSERT_TRUE(svc_->edit_destination(kB, {2, 0, 0}));  // edit keeps B's list position
  EXPECT_EQ(pick(), b);
}

TEST_F(LeastConnectionTest, OverloadedServerIsSkipped) {
  Destination* a = add(kA);
  Destination* b = add(kB, 1, /*u=*/2);         // list B, A
  VirtualService::bind(*a, ConnCount::Active);  // A 256
  VirtualService::bind(*b, ConnCount::Inactive);
  EXPECT_EQ(pick(), b);
  VirtualService::bind(*b, ConnCount::Inactive);  // 2 >= u 2: overloaded
  ASSERT_TRUE(b->overloaded);
  EXPECT_EQ(pick(), a);
  VirtualService::unbind(*b, ConnCount::Inactive);  // 1 * 4 < 2 * 3: cleared
  ASSERT_FALSE(b->overloaded);
  EXPECT_EQ(pick(), b);
}

TEST_F(LeastConnectionTest, RaisingTheThresholdByEditClearsOverload) {
  Destination* a = add(kA);
  Destination* b = add(kB, 1, /*u=*/1);
  VirtualService::bind(*a, ConnCount::Inactive);
  VirtualService::bind(*a, ConnCount::Inactive);
  VirtualService::bind(*b, ConnCount::Inactive);
  ASSERT_TRUE(b->overloaded);
  EXPECT_EQ(pick(), a);
  ASSERT_TRUE(svc_->edit_destination(kB, {1, 5, 0}));
  EXPECT_EQ(pick(), b);
}

TEST_F(LeastConnectionTest, DeletedServerIsNotChosenAndReaddedOneWinsTies) {
  Destination* a = add(kA);
  Destination* b = add(kB);
  Destination* c = add(kC);  // list C, B, A
  VirtualService::bind(*c, ConnCount::Inactive);
  VirtualService::bind(*a, ConnCount::Inactive);  // C 1, B 0, A 1
  EXPECT_EQ(pick(), b);
  ASSERT_TRUE(svc_->delete_destination(kB));
  EXPECT_EQ(pick(), c);                           // C 1 == A 1, C is nearer the head
  ASSERT_TRUE(svc_->delete_destination(kA));      // A still has a connection: in the trash
  VirtualService::bind(*a, ConnCount::Inactive);  // counters change in the trash
  EXPECT_EQ(pick(), c);
  VirtualService::unbind(*a, ConnCount::Inactive);
  Destination* a2 = add(kA);  // revived with 1 connection, at the head: list A, C
  EXPECT_EQ(a2, a);
  EXPECT_EQ(pick(), a);  // A 1 == C 1, A is now the head
}

// Thousands of random operations; after each, the heap's answer must be the kernel's linear
// scan's (ip_vs_lc_schedule(), in support/kernel_reference.h).
TEST(LeastConnectionDifferential, MatchesTheKernelScan) {
  auto sched = std::make_unique<LeastConnection>();
  LeastConnection* lc = sched.get();
  VirtualService svc(config::ServiceKey{}, std::move(sched), {});
  testing::RandomServiceOps ops(
      svc, 12345, [](testing::RandomServiceOps& r) { return r.rnd(4) == 0 ? 0 : r.rnd(5) + 1; }, 2);
  int checked = 0;
  for (int step = 0; step < 20000; ++step) {
    ops.step();
    ASSERT_TRUE(lc->index().valid()) << "step " << step;
    ASSERT_EQ(svc.schedule(PacketInfo{}, 0), test::kernel::lc_schedule(svc.destinations()))
        << "step " << step;
    if (test::kernel::lc_schedule(svc.destinations()) != nullptr) ++checked;
  }
  EXPECT_GT(checked, 10000);  // the comparison was mostly between real servers
}

}  // namespace
}  // namespace lvs
