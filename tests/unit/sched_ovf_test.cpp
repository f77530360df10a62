// ovf (ip_vs_ovf.c, overflow): the server with the highest weight, ties to the one nearest the
// list head, among those neither overloaded nor dead, of weight > 0, and with no more active
// connections than their weight. Hand-derived cases, then a randomized differential test of the
// index against a transcription of the kernel's scan. Servers added A, B, C sit in list order
// C, B, A.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "sched/weighted_overflow.h"
#include "service/virtual_service.h"
#include "support/indexed_scheduler_tests.h"
#include "support/scheduler_fixture.h"

namespace lvs {
namespace {

constexpr Endpoint kA{0x0a000001, 80};
constexpr Endpoint kB{0x0a000002, 80};
constexpr Endpoint kC{0x0a000003, 80};

// ip_vs_ovf_schedule(), transcribed: in list order, skip overloaded servers, those with more
// active connections than their weight and those of weight 0; the first remaining server is the
// candidate, a later one replaces it only with a strictly higher weight.
// Destination::blocked() stands where the kernel tests IP_VS_DEST_F_OVERLOAD.
Destination* kernel_ovf_schedule(DestinationList list) {
  Destination* h = nullptr;
  std::int32_t hw = 0;
  for (Destination* d : list) {
    const std::int32_t w = d->weight;
    if (d->blocked() || std::int64_t{d->activeconns} > w || w == 0) continue;
    if (h == nullptr || w > hw) {
      h = d;
      hw = w;
    }
  }
  return h;
}

class WeightedOverflowTest : public test::SchedulerTest<WeightedOverflow> {
 protected:
  std::string picks(int n) { return SchedulerTest::picks(n, kA.addr); }
  std::string place(int n) { return test::place_active(*svc_, n, kA.addr); }
};

TEST_F(WeightedOverflowTest, NameIsOvf) { EXPECT_EQ(sched_->name(), "ovf"); }

TEST_F(WeightedOverflowTest, EmptyServiceHasNoServer) { EXPECT_EQ(pick(), nullptr); }

TEST_F(WeightedOverflowTest, OverflowsToTheNextWeightOnceActivePassesWeight) {
  add(kA, 3);
  add(kB, 2);
  add(kC, 1);  // list C, B, A
  // A takes connections while active <= 3 (at 0, 1, 2, 3: four), then B at 0, 1, 2 (three),
  // then C at 0, 1 (two); then every server has active > weight.
  EXPECT_EQ(place(10), "AAAABBBCC-");
}

TEST_F(WeightedOverflowTest, AClosedConnectionBringsTheHeavierServerBack) {
  Destination* a = add(kA, 3);
  add(kB, 2);                                     // list B, A
  EXPECT_EQ(place(5), "AAAAB");                   // A at 4 > 3
  VirtualService::unbind(*a, ConnCount::Active);  // A at 3 <= 3
  EXPECT_EQ(place(2), "AB");
}

TEST_F(WeightedOverflowTest, InactiveConnectionsDoNotOverflow) {
  Destination* a = add(kA, 1);
  add(kB, 1);  // list B, A
  Destination* b = svc_->find(kB);
  for (int i = 0; i < 100; ++i) VirtualService::bind(*b, ConnCount::Inactive);
  EXPECT_EQ(pick(), b);  // 0 active <= 1
  VirtualService::set_active(*b, true);
  VirtualService::set_active(*b, true);  // 2 active > 1
  EXPECT_EQ(pick(), a);
}

TEST_F(WeightedOverflowTest, EqualWeightsGoToTheHead) {
  add(kA, 2);
  add(kB, 2);  // list B, A
  EXPECT_EQ(place(7), "BBBAAA-");
}

TEST_F(WeightedOverflowTest, OverloadedServerIsSkippedUntilBelowThreshold) {
  Destination* a = add(kA, 5, /*u=*/3);
  add(kB, 1);  // list B, A
  EXPECT_EQ(picks(1), "A");
  for (int i = 0; i < 3; ++i) VirtualService::bind(*a, ConnCount::Inactive);  // 3 >= u 3
  ASSERT_TRUE(a->overloaded);
  EXPECT_EQ(picks(1), "B");
  VirtualService::unbind(*a, ConnCount::Inactive);  // 2 * 4 < 3 * 3: cleared
  EXPECT_EQ(picks(1), "A");
}

TEST_F(WeightedOverflowTest, DeadHostIsSkippedUntilAlive) {
  Destination* a = add(kA, 5);
  add(kB, 1);  // list B, A
  EXPECT_EQ(picks(1), "A");
  VirtualService::set_dead(*a, true);
  EXPECT_EQ(picks(1), "B");
  VirtualService::set_dead(*a, false);
  EXPECT_EQ(picks(1), "A");
}

TEST_F(WeightedOverflowTest, WeightZeroAndWeightEdits) {
  Destination* a = add(kA, 3);
  add(kB, 0);                                          // list B, A
  EXPECT_EQ(place(5), "AAAA-");                        // A at 4 > 3; B is quiesced though idle
  ASSERT_TRUE(svc_->edit_destination(kA, {4, 0, 0}));  // 4 <= 4
  EXPECT_EQ(pick(), a);
  ASSERT_TRUE(svc_->edit_destination(kA, {3, 0, 0}));
  EXPECT_EQ(pick(), nullptr);
  ASSERT_TRUE(svc_->edit_destination(kB, {1, 0, 0}));  // B keeps its place at the head
  EXPECT_EQ(picks(1), "B");
  ASSERT_TRUE(svc_->edit_destination(kA, {9, 0, 0}));
  EXPECT_EQ(picks(1), "A");
}

TEST_F(WeightedOverflowTest, AddsAndDeletesChangeTheOrderAmongEqualWeights) {
  add(kA, 2);
  Destination* b = add(kB, 2);  // list B, A
  EXPECT_EQ(picks(1), "B");
  add(kC, 2);  // list C, B, A
  EXPECT_EQ(picks(1), "C");
  ASSERT_TRUE(svc_->delete_destination(kC));
  EXPECT_EQ(picks(1), "B");
  for (int i = 0; i < 3; ++i) VirtualService::bind(*b, ConnCount::Active);  // 3 > 2
  EXPECT_EQ(picks(1), "A");
  ASSERT_TRUE(svc_->delete_destination(kB));  // in the trash with its 3 connections
  VirtualService::unbind(*b, ConnCount::Active);
  EXPECT_EQ(picks(1), "A");
  EXPECT_EQ(add(kB, 2), b);  // revived at the head with 2 active: 2 <= 2
  EXPECT_EQ(picks(1), "B");
}

// Random -a/-e/-d, connection and dead-host changes; after each, the index's answer must be
// the kernel scan's. Weights 0-4 keep active counts near them, so servers overflow and return.
TEST(WeightedOverflowDifferential, MatchesTheKernelScan) {
  for (std::uint32_t seed : {1u, 2u, 3u}) {
    test::DecisionCounts counts;
    int overflowed = 0;  // a heavier server was passed over for active > weight
    test::DifferentialRun run{.seed = seed};
    run.draw_weight = [](testing::RandomServiceOps& r) { return r.rnd(5); };
    test::expect_kernel_decisions<WeightedOverflow>(
        run, &kernel_ovf_schedule, counts, [&](DestinationList list, Destination* d) {
          if (d == nullptr) return;
          for (const Destination* x : list) {
            if (!x->blocked() && x->weight > d->weight &&
                std::int64_t{x->activeconns} > x->weight) {
              ++overflowed;
              break;
            }
          }
        });
    ASSERT_FALSE(HasFatalFailure());
    EXPECT_GT(counts.first_usable + counts.further, 10000) << "seed " << seed;
    EXPECT_GT(counts.none, 100) << "seed " << seed;
    EXPECT_GT(overflowed, 500) << "seed " << seed;
  }
}

}  // namespace
}  // namespace lvs
