// Garbage collection and table limits against mainline neigh_periodic_work(), neigh_forced_gc()
// and neigh_alloc(): gc_thresh1/2/3, gc_stale_time, the 5 s forced-GC spacing, table_fulls,
// PERMANENT exempt, entries with a running timer held.
#include <gtest/gtest.h>

#include "support/neigh_harness.h"

namespace lvs {
namespace {

using namespace lvs::test;

constexpr Ipv4 host(std::uint32_t n) { return 0x0ac80100 + n; }  // 10.200.1.n
MacAddress mac(std::uint32_t n) {
  return MacAddress{0x02, 1, 0, 0, 0, static_cast<std::uint8_t>(n)};
}

// The forced collection's thresholds: from gc_thresh2 entries a new one triggers it (at most
// every 5 s), gc_thresh3 is the hard limit.
NeighbourParams gc_thresholds(std::uint32_t gc_thresh2, std::uint32_t gc_thresh3) {
  NeighbourParams p;
  p.gc_thresh2 = gc_thresh2;
  p.gc_thresh3 = gc_thresh3;
  return p;
}

// The periodic work first runs one reachable time (30 s here) after the first call, then every
// base_reachable_time/2 = 15 s.
TEST(NeighGc, PeriodicWorkDoesNothingBelowGcThresh1) {
  NeighHarness h;
  const TimeMs t0 = h.now;
  h.send(kRs1);
  h.run_until(t0 + 3000);
  ASSERT_TRUE(h.table.is_failed(kRs1));
  h.request(kRs2, kMac2);  // STALE, never used
  h.advance_to(t0 + 600'000);
  h.advance_to(t0 + 615'000);
  EXPECT_GE(h.table.stats().periodic_gc_runs, 2u);
  EXPECT_EQ(h.table.size(), 2u);  // 2 < gc_thresh1 = 128: Linux keeps them too
}

TEST(NeighGc, PeriodicWorkRemovesFailedAndUnusedEntriesAboveGcThresh1) {
  NeighbourParams p;
  p.gc_thresh1 = 2;  // the last pass below sees 2 entries: still at the threshold
  NeighHarness h(p);
  const TimeMs t0 = h.now;
  h.send(host(1));             // will be FAILED
  h.request(host(2), mac(2));  // STALE, unused for ever
  h.request(host(3), mac(3));  // STALE, used later
  h.permanent(host(4), mac(4));
  h.resolve(host(5), mac(5));  // REACHABLE: timer running, held
  h.run_until(t0 + 3000);
  ASSERT_TRUE(h.table.is_failed(host(1)));
  const std::uint64_t generation = h.table.failed_generation();

  // First periodic run at t0 + 30 s: FAILED goes; host(2) was used (created) at t0, 30 s < 60 s.
  h.advance_to(t0 + 30'000);
  EXPECT_EQ(h.table.stats().periodic_gc_runs, 1u);
  EXPECT_EQ(h.table.find(host(1)), nullptr);
  // The entry is collected, the dead host is not forgotten: the mark belongs to the address.
  EXPECT_TRUE(h.table.is_failed(host(1)));
  EXPECT_EQ(h.table.failed_generation(), generation);
  EXPECT_NE(h.table.find(host(2)), nullptr);
  EXPECT_EQ(h.table.stats().destroys, 1u);

  h.advance_to(t0 + 40'000);
  h.send(host(3));  // used: DELAY; the answer makes it REACHABLE until 70 s
  h.reply(host(3), mac(3));
  // host(5) went STALE at 30 s (unused). Next runs: 45 s, 60 s, 75 s, ...
  h.advance_to(t0 + 45'000);
  EXPECT_NE(h.table.find(host(2)), nullptr);
  h.advance_to(t0 + 60'000);
  EXPECT_EQ(h.table.find(host(2)), nullptr);  // used + gc_stale_time is already out of range
  EXPECT_EQ(h.table.find(host(5)), nullptr);  // STALE since 30 s, last used/confirmed at t0
  EXPECT_NE(h.table.find(host(3)), nullptr);  // REACHABLE: its timer holds it
  EXPECT_NE(h.table.find(host(4)), nullptr);
  h.advance_to(t0 + 75'000);
  h.advance_to(t0 + 90'000);
  EXPECT_EQ(h.state(host(3)), NudState::Stale);
  EXPECT_NE(h.table.find(host(3)), nullptr);  // STALE since 70 s, used at 40 s: 50 s ago
  h.advance_to(t0 + 105'000);
  EXPECT_EQ(h.table.find(host(3)), nullptr);
  EXPECT_NE(h.table.find(host(4)), nullptr);  // PERMANENT: never
  EXPECT_EQ(h.table.stats().entries, 1u);
  EXPECT_EQ(h.table.stats().destroys, 4u);
}

TEST(NeighGc, ForcedGcAboveGcThresh2RemovesOldUnheldEntriesOldestFirst) {
  NeighHarness h(gc_thresholds(4, 100));
  const TimeMs t0 = h.now;
  for (std::uint32_t i = 1; i <= 4; ++i) h.request(host(i), mac(i));  // STALE, updated at t0
  h.permanent(kRs1, kMac1);  // exempt: not counted toward the thresholds
  h.advance_to(t0 + 6000);
  // A fifth collectable entry: 4 >= gc_thresh2 -> forced GC. max_clean = 4 - 4 = 0, so it stops
  // after the first unheld entry it looks at: the oldest, updated more than 5 s ago, goes.
  EXPECT_EQ(h.request(host(5), mac(5)), ArpVerdict::Created);
  EXPECT_EQ(h.table.stats().forced_gc_runs, 1u);
  EXPECT_EQ(h.table.find(host(1)), nullptr);
  EXPECT_NE(h.table.find(host(2)), nullptr);
  EXPECT_NE(h.table.find(kRs1), nullptr);
  // Within 5 s of that flush, no forced GC below gc_thresh3.
  h.advance_to(t0 + 8000);
  EXPECT_EQ(h.request(host(6), mac(6)), ArpVerdict::Created);
  EXPECT_EQ(h.table.stats().forced_gc_runs, 1u);
  // After 5 s it runs again: 5 collectable -> max_clean 1.
  h.advance_to(t0 + 11'001);
  EXPECT_EQ(h.request(host(7), mac(7)), ArpVerdict::Created);
  EXPECT_EQ(h.table.stats().forced_gc_runs, 2u);
  EXPECT_EQ(h.table.find(host(2)), nullptr);
}

TEST(NeighGc, ForcedGcKeepsEntriesUpdatedInTheLastFiveSeconds) {
  NeighHarness h(gc_thresholds(2, 100));
  const TimeMs t0 = h.now;
  h.request(host(1), mac(1));
  h.request(host(2), mac(2));
  h.advance_to(t0 + 3000);
  // 2 >= gc_thresh2: forced GC, but host(1) was updated 3 s ago: kept, nothing freed. Below
  // gc_thresh3 the new entry is made anyway.
  EXPECT_EQ(h.request(host(3), mac(3)), ArpVerdict::Created);
  EXPECT_EQ(h.table.stats().forced_gc_runs, 1u);
  EXPECT_EQ(h.table.size(), 3u);
}

TEST(NeighGc, ForcedGcSkipsHeldEntriesButTakesFailedAndNoarpAtOnce) {
  NeighHarness h(gc_thresholds(2, 100));
  const TimeMs t0 = h.now;
  h.send(host(1));  // INCOMPLETE: held by its timer
  ASSERT_TRUE(h.table.admin_set(host(2), mac(2), NudState::Noarp, h.now, h.events));
  h.send(host(3));  // 2 >= gc_thresh2: forced GC skips held host(1), takes NOARP host(2)
  EXPECT_EQ(h.table.stats().forced_gc_runs, 1u);
  EXPECT_NE(h.table.find(host(1)), nullptr);
  EXPECT_EQ(h.table.find(host(2)), nullptr);
  h.reply(host(3), mac(3));  // REACHABLE: held
  h.run_until(t0 + 3000);
  ASSERT_TRUE(h.table.is_failed(host(1)));
  h.advance_to(t0 + 5001);     // more than 5 s since the last forced GC
  h.request(host(4), mac(4));  // FAILED host(1) goes, however recent
  EXPECT_EQ(h.table.stats().forced_gc_runs, 2u);
  EXPECT_EQ(h.table.find(host(1)), nullptr);
  EXPECT_NE(h.table.find(host(3)), nullptr);
  EXPECT_NE(h.table.find(host(4)), nullptr);
}

TEST(NeighGc, GcThresh3IsAHardLimitCountedInTableFulls) {
  NeighHarness h(gc_thresholds(2, 3));
  for (std::uint32_t i = 1; i <= 3; ++i) {
    EXPECT_EQ(h.send(host(i)).status, ResolveStatus::Pending);  // INCOMPLETE: held, uncollectable
  }
  const auto r = h.send(host(4), {1});
  EXPECT_EQ(r.status, ResolveStatus::TableFull);
  EXPECT_EQ(h.table.find(host(4)), nullptr);
  EXPECT_EQ(h.table.stats().table_fulls, 1u);
  // One forced GC when the third entry came (at gc_thresh2, nothing collectable), one now.
  EXPECT_EQ(h.table.stats().forced_gc_runs, 2u);
  EXPECT_EQ(h.table.stats().unres_drops, 1u);
  EXPECT_EQ(h.request(host(5), mac(5)), ArpVerdict::TableFull);
  EXPECT_EQ(h.table.stats().table_fulls, 2u);
  // PERMANENT entries are exempt from the limit.
  for (std::uint32_t i = 10; i < 20; ++i) h.permanent(host(i), mac(i));
  EXPECT_EQ(h.table.size(), 13u);
  // Once they fail, they can be collected and room is made.
  h.run_until(h.now + 3000);
  EXPECT_EQ(h.send(host(4)).status, ResolveStatus::Pending);
  EXPECT_EQ(h.table.stats().table_fulls, 2u);  // no new refusal
}

TEST(NeighGc, HashGrowsAndEntriesFollowTheTable) {
  NeighHarness h;
  for (std::uint32_t i = 1; i <= 8; ++i) h.request(host(i), mac(i));
  const std::uint64_t before = h.table.stats().hash_grows;
  for (std::uint32_t i = 9; i <= 100; ++i) h.request(host(i), mac(i));
  EXPECT_GT(h.table.stats().hash_grows, before);
  EXPECT_EQ(h.table.stats().entries, 100u);
  EXPECT_EQ(h.table.stats().allocs, 100u);
  h.table.remove(host(1));
  EXPECT_EQ(h.table.stats().entries, 99u);
}

TEST(NeighGc, NextTimerCoversEntryTimersAndThePeriodicWork) {
  NeighHarness h;
  EXPECT_FALSE(h.table.next_timer().has_value());
  const TimeMs t0 = h.now;
  h.advance_to(t0);
  EXPECT_EQ(h.table.next_timer(), t0 + 30'000);  // the first periodic run
  h.send(kRs1);
  EXPECT_EQ(h.table.next_timer(), t0 + 1000);
}

}  // namespace
}  // namespace lvs
