// wlc (ip_vs_wlc.c): least overhead/weight, compared as oh_a * w_b vs oh_b * w_a in 64 bits,
// weight 0 and overloaded servers skipped, ties to the server nearest the list head.
// Hand-derived cases, then a randomized differential test of the heap index against the
// kernel's linear scan.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "sched/weighted_least_connection.h"
#include "service/virtual_service.h"
#include "support/kernel_reference.h"
#include "support/random_service_ops.h"
#include "support/scheduler_fixture.h"

namespace lvs {
namespace {

constexpr Endpoint kA{0x0a000001, 80};
constexpr Endpoint kB{0x0a000002, 80};
constexpr Endpoint kC{0x0a000003, 80};

class WeightedLeastConnectionTest : public test::SchedulerTest<WeightedLeastConnection> {
 protected:
  static void bind_n(Destination& d, ConnCount c, int n) {
    for (int i = 0; i < n; ++i) VirtualService::bind(d, c);
  }
};

TEST_F(WeightedLeastConnectionTest, NameIsWlc) { EXPECT_EQ(sched_->name(), "wlc"); }

TEST_F(WeightedLeastConnectionTest, EmptyServiceHasNoServer) { EXPECT_EQ(pick(), nullptr); }

TEST_F(WeightedLeastConnectionTest, EqualRatiosGoToTheHead) {
  Destination* a = add(kA, 1);
  Destination* b = add(kB, 2);
  Destination* c = add(kC, 3);       // list C, B, A
  EXPECT_EQ(pick(), c);              // all 0
  bind_n(*c, ConnCount::Active, 3);  // 768 / 3 = 256
  bind_n(*b, ConnCount::Active, 2);  // 512 / 2 = 256
  bind_n(*a, ConnCount::Active, 1);  // 256 / 1 = 256
  EXPECT_EQ(pick(), c);
  VirtualService::bind(*c, ConnCount::Inactive);  // 769 / 3 > 256
  EXPECT_EQ(pick(), b);
  VirtualService::bind(*b, ConnCount::Inactive);  // 513 / 2 > 256
  EXPECT_EQ(pick(), a);
}

TEST_F(WeightedLeastConnectionTest, WeightDividesTheOverhead) {
  Destination* a = add(kA, 1);
  Destination* b = add(kB, 1);                  // list B, A
  VirtualService::bind(*a, ConnCount::Active);  // A 256 / 1
  bind_n(*b, ConnCount::Inactive, 300);         // B 300 / 1
  EXPECT_EQ(pick(), a);
  ASSERT_TRUE(svc_->edit_destination(kB, {2, 0, 0}));  // B 300 / 2 = 150
  EXPECT_EQ(pick(), b);
  ASSERT_TRUE(svc_->edit_destination(kA, {3, 0, 0}));  // A 256 / 3 = 85.3
  EXPECT_EQ(pick(), a);
  // 300 * 3 = 900 vs 256 * 2 = 512: A. Make B 384 / 2 = 192 vs 85: still A; A gets 2 active:
  // 512 / 3 = 170.7 < 192: A; a third: 768 / 3 = 256 > 192: B.
  bind_n(*b, ConnCount::Inactive, 84);
  VirtualService::bind(*a, ConnCount::Active);
  EXPECT_EQ(pick(), a);
  VirtualService::bind(*a, ConnCount::Active);
  EXPECT_EQ(pick(), b);
}

TEST_F(WeightedLeastConnectionTest, QuiescedServerIsSkippedEvenWhenIdle) {
  Destination* a = add(kA, 1);
  Destination* b = add(kB, 0);  // list B, A
  bind_n(*a, ConnCount::Active, 4);
  EXPECT_EQ(pick(), a);
  ASSERT_TRUE(svc_->edit_destination(kA, {0, 0, 0}));
  EXPECT_EQ(pick(), nullptr);
  ASSERT_TRUE(svc_->edit_destination(kB, {1, 0, 0}));
  EXPECT_EQ(pick(), b);
}

TEST_F(WeightedLeastConnectionTest, OverloadedServerIsSkipped) {
  Destination* a = add(kA, 1);
  Destination* b = add(kB, 10, /*u=*/3);  // list B, A
  VirtualService::bind(*a, ConnCount::Active);
  bind_n(*b, ConnCount::Inactive, 2);
  EXPECT_EQ(pick(), b);
  VirtualService::bind(*b, ConnCount::Inactive);  // 3 >= 3: overloaded
  EXPECT_EQ(pick(), a);
  VirtualService::unbind(*b, ConnCount::Inactive);  // 2 * 4 < 3 * 3: cleared
  EXPECT_EQ(pick(), b);
  VirtualService::bind(*b, ConnCount::Inactive);
  ASSERT_TRUE(svc_->edit_destination(kB, {10, 0, 0}));  // u 0 clears the flag
  EXPECT_EQ(pick(), b);
}

TEST_F(WeightedLeastConnectionTest, LargeCountsDoNotOverflow) {
  Destination* a = add(kA, 65535);
  Destination* b = add(kB, 65534);  // list B, A
  // 2^16 active on A: overhead 2^24, times weight 65534 needs more than 32 bits.
  bind_n(*a, ConnCount::Active, 65536);
  bind_n(*b, ConnCount::Active, 65535);
  // A: 2^24 / 65535, B: (2^24 - 256) / 65534. Cross: 2^24 * 65534 = 1099478073344 vs
  // (2^24 - 256) * 65535 = 1099478073600: A is less loaded (by 256 in 2^40).
  EXPECT_EQ(pick(), a);
  // One more inactive on A: (2^24 + 1) * 65534 = 1099478138878 > 1099478073600: B.
  VirtualService::bind(*a, ConnCount::Inactive);
  EXPECT_EQ(pick(), b);
}

TEST_F(WeightedLeastConnectionTest, DeleteAndReadd) {
  Destination* a = add(kA, 1);
  Destination* b = add(kB, 1);  // list B, A
  VirtualService::bind(*b, ConnCount::Inactive);
  EXPECT_EQ(pick(), a);
  ASSERT_TRUE(svc_->delete_destination(kA));
  EXPECT_EQ(pick(), b);
  svc_->add_destination(kA, {1, 0, 0});  // unreferenced: a fresh object at the head
  Destination* a2 = svc_->find(kA);
  VirtualService::bind(*a2, ConnCount::Inactive);  // A 1 == B 1: A is the head
  EXPECT_EQ(pick(), a2);
}

TEST(WeightedLeastConnectionStandalone, FedByHandWithoutAService) {
  // The way a wrapping scheduler (lblc) uses it: its own calls, no VirtualService.
  Destination a, b;
  a.weight = 1;
  b.weight = 2;
  std::vector<Destination*> list;
  WeightedLeastConnection wlc;
  test::link_at_head(wlc, list, a, 1);
  test::link_at_head(wlc, list, b, 2);
  EXPECT_EQ(wlc.least_loaded(), &b);
  b.activeconns = 1;  // 256 / 2 > 0 / 1
  wlc.load_changed(b);
  EXPECT_EQ(wlc.schedule(list, {}, 0), &a);
  a.inactconns = 128;  // 128 / 1 == 256 / 2: b is nearer the head
  wlc.load_changed(a);
  EXPECT_EQ(wlc.schedule(list, {}, 0), &b);
  list.erase(list.begin());
  b.available = false;
  wlc.destination_removed(list, b, 0);
  EXPECT_EQ(wlc.schedule(list, {}, 0), &a);
  wlc.load_changed(b);  // a removed server's counters change: it must stay out
  EXPECT_EQ(wlc.schedule(list, {}, 0), &a);
}

// Thousands of random operations; after each, the heap's answer must be the kernel's linear
// scan's (ip_vs_wlc_schedule(), both stages, in support/kernel_reference.h).
TEST(WeightedLeastConnectionDifferential, MatchesTheKernelScan) {
  for (std::uint32_t seed : {1u, 2u, 3u}) {
    auto sched = std::make_unique<WeightedLeastConnection>();
    WeightedLeastConnection* wlc = sched.get();
    VirtualService svc(config::ServiceKey{}, std::move(sched), {});
    // Small weights with common factors make equal ratios (ties) frequent.
    testing::RandomServiceOps ops(
        svc, seed,
        [](testing::RandomServiceOps& r) {
          return r.rnd(5) == 0 ? 0 : (1 << r.rnd(3)) * (r.rnd(2) + 1);
        },
        4);
    int chosen = 0;
    for (int step = 0; step < 20000; ++step) {
      ops.step();
      ASSERT_TRUE(wlc->index().valid()) << "seed " << seed << " step " << step;
      Destination* expected = test::kernel::wlc_schedule(svc.destinations());
      ASSERT_EQ(svc.schedule(PacketInfo{}, 0), expected) << "seed " << seed << " step " << step;
      if (expected != nullptr) ++chosen;
    }
    EXPECT_GT(chosen, 10000);
  }
}

}  // namespace
}  // namespace lvs
