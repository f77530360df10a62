// nq (ip_vs_nq.c): weight 0 and overloaded (or dead) servers skipped; the first remaining
// server in list order with no active connection is chosen at once, whatever its weight;
// without one, sed's rule: the least (activeconns + 1)/weight, ties to the server nearest the
// list head. Hand-derived cases, then a randomized differential test of the index against a
// transcription of the kernel's scan. Servers added A, B, C sit in list order C, B, A.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "sched/never_queue.h"
#include "service/virtual_service.h"
#include "support/indexed_scheduler_tests.h"
#include "support/scheduler_fixture.h"

namespace lvs {
namespace {

constexpr Endpoint kA{0x0a000001, 80};
constexpr Endpoint kB{0x0a000002, 80};
constexpr Endpoint kC{0x0a000003, 80};

// ip_vs_nq_schedule(), transcribed: one pass in list order; overloaded and weight-0 servers
// skipped, an idle server returned on the spot, otherwise the strictly smaller
// (active + 1) / weight replaces the candidate. Destination::blocked() stands where the kernel
// tests IP_VS_DEST_F_OVERLOAD.
Destination* kernel_nq_schedule(DestinationList list) {
  Destination* least = nullptr;
  std::int64_t loh = 0;
  for (Destination* d : list) {
    if (d->blocked() || d->weight == 0) continue;
    const std::int64_t doh = std::int64_t{d->activeconns} + 1;
    if (d->activeconns == 0) return d;
    if (least == nullptr || loh * d->weight > doh * least->weight) {
      least = d;
      loh = doh;
    }
  }
  return least;
}

class NeverQueueTest : public test::SchedulerTest<NeverQueue> {
 protected:
  std::string place(int n) { return test::place_active(*svc_, n, kA.addr); }
  static void bind_n(Destination& d, ConnCount c, int n) {
    for (int i = 0; i < n; ++i) VirtualService::bind(d, c);
  }
};

TEST_F(NeverQueueTest, NameIsNq) { EXPECT_EQ(sched_->name(), "nq"); }

TEST_F(NeverQueueTest, EmptyServiceHasNoServer) { EXPECT_EQ(pick(), nullptr); }

TEST_F(NeverQueueTest, IdleServersFirstInListOrderThenShortestExpectedDelay) {
  add(kA, 10);
  add(kB, 1);
  add(kC, 1);  // list C, B, A
  // Idle first, in list order, weight aside: C, B, A. Then none is idle: A (1 + 1)/10 against
  // B and C 2/1, so A until its delay reaches 2: A at 2/10 ... 19/10 (18 connections), then
  // A 20/10 = 2 ties B and C: C, the head. C 3/1: B (2/1 ties A's 2, B nearer the head). B
  // 3/1: A 20/10 = 2 < 3.
  EXPECT_EQ(place(3), "CBA");
  EXPECT_EQ(place(18), std::string(18, 'A'));
  EXPECT_EQ(place(3), "CBA");
}

TEST_F(NeverQueueTest, AnIdleServerBeatsALowerExpectedDelay) {
  Destination* b = add(kB, 1);
  Destination* a = add(kA, 100);  // list A, B
  VirtualService::bind(*a, ConnCount::Active);
  // sed would keep A: (1 + 1)/100 < (0 + 1)/1. nq sends to idle B though it is further down.
  EXPECT_EQ(pick(), b);
  VirtualService::bind(*b, ConnCount::Active);  // none idle: A 2/100 < B 2/1
  EXPECT_EQ(pick(), a);
  VirtualService::unbind(*b, ConnCount::Active);  // B idle again
  EXPECT_EQ(pick(), b);
}

TEST_F(NeverQueueTest, InactiveConnectionsDoNotMakeAServerBusy) {
  Destination* a = add(kA, 1);
  Destination* b = add(kB, 1);  // list B, A
  bind_n(*b, ConnCount::Inactive, 500);
  EXPECT_EQ(pick(), b);  // no active connection: idle, and first in the list
  VirtualService::set_active(*b, true);
  EXPECT_EQ(pick(), a);
  VirtualService::set_active(*b, false);
  EXPECT_EQ(pick(), b);
}

TEST_F(NeverQueueTest, QuiescedIdleServerIsSkipped) {
  Destination* a = add(kA, 1);
  add(kB, 0);  // list B, A: B idle but weight 0
  bind_n(*a, ConnCount::Active, 7);
  EXPECT_EQ(pick(), a);
  ASSERT_TRUE(svc_->edit_destination(kA, {0, 0, 0}));
  EXPECT_EQ(pick(), nullptr);
}

TEST_F(NeverQueueTest, OverloadedIdleServerIsSkippedUntilBelowThreshold) {
  Destination* a = add(kA, 1);
  Destination* b = add(kB, 1, /*u=*/1);  // list B, A
  bind_n(*a, ConnCount::Active, 2);
  VirtualService::bind(*b, ConnCount::Inactive);  // total 1 >= u 1: overloaded, still idle
  ASSERT_TRUE(b->overloaded);
  EXPECT_EQ(pick(), a);
  VirtualService::unbind(*b, ConnCount::Inactive);  // 0 * 4 < 1 * 3: cleared
  EXPECT_EQ(pick(), b);
}

TEST_F(NeverQueueTest, DeadIdleServerIsSkippedUntilAlive) {
  Destination* a = add(kA, 1);
  Destination* b = add(kB, 1);  // list B, A
  VirtualService::bind(*a, ConnCount::Active);
  EXPECT_EQ(pick(), b);
  VirtualService::set_dead(*b, true);
  EXPECT_EQ(pick(), a);
  VirtualService::set_dead(*b, false);
  EXPECT_EQ(pick(), b);
}

TEST_F(NeverQueueTest, AddsAndDeletesMoveTheFirstIdleServer) {
  Destination* a = add(kA);
  Destination* b = add(kB);  // list B, A, both idle
  EXPECT_EQ(pick(), b);
  Destination* c = add(kC);  // list C, B, A
  EXPECT_EQ(pick(), c);
  VirtualService::bind(*c, ConnCount::Active);  // C busy, and referenced
  EXPECT_EQ(pick(), b);
  ASSERT_TRUE(svc_->delete_destination(kB));  // list C, A
  EXPECT_EQ(pick(), a);
  ASSERT_TRUE(svc_->delete_destination(kC));      // C in the trash with its connection
  VirtualService::unbind(*c, ConnCount::Active);  // idle in the trash: not in the list
  EXPECT_EQ(pick(), a);
  VirtualService::bind(*a, ConnCount::Active);  // A busy: 2/1
  EXPECT_EQ(pick(), a);
  Destination* b2 = add(kB);  // idle, at the head
  EXPECT_EQ(pick(), b2);
}

TEST_F(NeverQueueTest, WeightEditChangesTheBusyOrderOnly) {
  Destination* a = add(kA, 1);
  Destination* b = add(kB, 1);       // list B, A
  bind_n(*a, ConnCount::Active, 1);  // A 2/1
  bind_n(*b, ConnCount::Active, 2);  // B 3/1
  EXPECT_EQ(pick(), a);
  ASSERT_TRUE(svc_->edit_destination(kB, {2, 0, 0}));  // B 3/2 < 2
  EXPECT_EQ(pick(), b);
  ASSERT_TRUE(svc_->edit_destination(kB, {0, 0, 0}));
  EXPECT_EQ(pick(), a);
  Destination* c = add(kC, 1);  // list C, B, A
  VirtualService::bind(*c, ConnCount::Active);
  ASSERT_TRUE(svc_->edit_destination(kB, {1, 0, 0}));  // A 2/1, B 3/1, C 2/1: C, the head
  EXPECT_EQ(pick(), c);
}

// Random -a/-e/-d, connection and dead-host changes; after each, the index's answer must be
// the kernel scan's.
TEST(NeverQueueDifferential, MatchesTheKernelScan) {
  for (std::uint32_t seed : {1u, 2u, 3u}) {
    test::DecisionCounts counts;
    int idle = 0;
    int busy = 0;
    test::expect_kernel_decisions<NeverQueue>({.seed = seed}, &kernel_nq_schedule, counts,
                                              [&](DestinationList, Destination* d) {
                                                if (d != nullptr)
                                                  ++(d->activeconns == 0 ? idle : busy);
                                              });
    ASSERT_FALSE(HasFatalFailure());
    // Both speeds were exercised, and the answer was often not the first usable server.
    EXPECT_GT(idle, 3000) << "seed " << seed;
    EXPECT_GT(busy, 3000) << "seed " << seed;
    EXPECT_GT(counts.further, 3000) << "seed " << seed;
  }
}

}  // namespace
}  // namespace lvs
