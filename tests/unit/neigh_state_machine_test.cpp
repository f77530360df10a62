// The NUD state machine with a fake clock: every transition, timer and the counters they move,
// against neigh_timer_handler(), __neigh_event_send(), neigh_probe()/arp_solicit() and
// __neigh_update() in mainline net/core/neighbour.c.
#include <gtest/gtest.h>

#include <vector>

#include "support/neigh_harness.h"

namespace lvs {
namespace {

using namespace lvs::test;

constexpr MacAddress kNoMac{};

TEST(NeighStateMachine, FirstUseBroadcastsMcastSolicitRequestsRetransApartThenFails) {
  NeighHarness h;
  const TimeMs t0 = h.now;
  const auto r = h.send(kRs1);
  EXPECT_EQ(r.status, ResolveStatus::Pending);
  EXPECT_EQ(r.lladdr, nullptr);
  EXPECT_EQ(h.state(kRs1), NudState::Incomplete);
  auto ev = h.take();
  ASSERT_EQ(ev.size(), 1u);  // the first request goes at once
  const auto req = std::get<SolicitRequest>(ev[0]);
  EXPECT_EQ(req.target, kRs1);
  EXPECT_FALSE(req.unicast_to.has_value());  // broadcast
  EXPECT_EQ(h.table.next_timer(), t0 + 1000);

  h.run_until(t0 + 999);
  EXPECT_TRUE(h.take().empty());
  h.run_until(t0 + 1000);
  EXPECT_EQ(broadcasts(h.take()), 1u);
  h.run_until(t0 + 2000);
  EXPECT_EQ(broadcasts(h.take()), 1u);
  EXPECT_EQ(h.state(kRs1), NudState::Incomplete);
  const std::uint64_t generation = h.table.failed_generation();
  h.run_until(t0 + 2999);
  EXPECT_TRUE(h.take().empty());
  h.run_until(t0 + 3000);  // three requests, no answer: FAILED
  ev = h.take();
  EXPECT_EQ(broadcasts(ev), 0u);
  const auto failed = events_of<NeighbourFailed>(ev);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].ip, kRs1);
  EXPECT_EQ(failed[0].from, NudState::Incomplete);
  EXPECT_EQ(h.state(kRs1), NudState::Failed);
  EXPECT_TRUE(h.table.is_failed(kRs1));
  EXPECT_NE(h.table.failed_generation(), generation);
  EXPECT_EQ(h.table.stats().res_failed, 1u);
  // Nothing more happens to a FAILED entry by itself.
  h.run_until(t0 + 10000);
  EXPECT_EQ(broadcasts(h.take()), 0u);
}

TEST(NeighStateMachine, ReplyResolvesAndReleasesTheQueueInOrder) {
  NeighHarness h;
  const TimeMs t0 = h.now;
  h.send(kRs1, {1});
  h.send(kRs1, {2, 2});
  h.send(kRs1, {3, 3, 3});
  EXPECT_EQ(h.table.queued(kRs1), 3u);
  EXPECT_EQ(broadcasts(h.take()), 1u);  // one request, not one per packet
  h.run_until(t0 + 500);
  EXPECT_EQ(h.reply(kRs1, kMac1), ArpVerdict::Updated);
  EXPECT_EQ(h.state(kRs1), NudState::Reachable);
  const auto resolved = events_of<NeighbourResolved>(h.take());
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_EQ(resolved[0].ip, kRs1);
  EXPECT_EQ(resolved[0].lladdr, kMac1);
  EXPECT_FALSE(resolved[0].was_failed);
  ASSERT_EQ(resolved[0].packets.size(), 3u);
  EXPECT_EQ(resolved[0].packets[0], std::vector<std::uint8_t>{1});
  EXPECT_EQ(resolved[0].packets[1], (std::vector<std::uint8_t>{2, 2}));
  EXPECT_EQ(resolved[0].packets[2], (std::vector<std::uint8_t>{3, 3, 3}));
  EXPECT_EQ(h.table.queued(kRs1), 0u);
  // Resolution stopped the requests.
  h.run_until(t0 + 5000);
  EXPECT_EQ(broadcasts(h.take()), 0u);
  // Now usable at once.
  const auto r = h.send(kRs1, {9});
  EXPECT_EQ(r.status, ResolveStatus::Usable);
  ASSERT_NE(r.lladdr, nullptr);
  EXPECT_EQ(*r.lladdr, kMac1);
  EXPECT_EQ(h.table.queued(kRs1), 0u);
}

TEST(NeighStateMachine, QueueOverflowDropsTheOldestAndCountsUnresolvedDiscards) {
  NeighbourParams p;
  p.unres_qlen = 3;
  NeighHarness h(p);
  for (std::uint8_t i = 1; i <= 5; ++i) h.send(kRs1, {i});
  EXPECT_EQ(h.table.queued(kRs1), 3u);
  EXPECT_EQ(h.table.stats().unres_discards, 2u);
  h.reply(kRs1, kMac1);
  const auto resolved = events_of<NeighbourResolved>(h.take());
  ASSERT_EQ(resolved.size(), 1u);
  ASSERT_EQ(resolved[0].packets.size(), 3u);
  EXPECT_EQ(resolved[0].packets[0][0], 3);
  EXPECT_EQ(resolved[0].packets[2][0], 5);
}

TEST(NeighStateMachine, QueueIsAlsoLimitedByBytes) {
  NeighbourParams p;
  p.unres_qlen = 100;
  p.unres_qlen_bytes = 3000;
  NeighHarness h(p);
  for (int i = 0; i < 3; ++i) h.send(kRs1, std::vector<std::uint8_t>(1400, std::uint8_t(i)));
  EXPECT_EQ(h.table.queued(kRs1), 2u);  // 3 * 1400 > 3000: the first one went
  EXPECT_EQ(h.table.stats().unres_discards, 1u);
}

TEST(NeighStateMachine, FailureDropsTheQueueAndCountsIt) {
  NeighHarness h;
  const TimeMs t0 = h.now;
  h.send(kRs1, {1});
  h.send(kRs1, {2});
  h.run_until(t0 + 3000);
  const auto failed = events_of<NeighbourFailed>(h.take());
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].dropped, 2u);
  EXPECT_EQ(h.table.queued(kRs1), 0u);
  EXPECT_EQ(h.table.stats().unres_drops, 2u);
  EXPECT_EQ(h.table.stats().unres_discards, 0u);  // the kernel counts only overflow there
  EXPECT_EQ(h.table.stats().res_failed, 1u);
}

TEST(NeighStateMachine, ReachableGoesStaleAfterReachableTimeWhenUnused) {
  NeighHarness h;  // scripted draw: reachable time = 30000 exactly
  ASSERT_EQ(h.table.reachable_time_ms(), 30000u);
  h.resolve(kRs1, kMac1);
  const TimeMs t1 = h.now;
  h.take();
  h.run_until(t1 + 30000);
  EXPECT_EQ(h.state(kRs1), NudState::Reachable);  // now <= confirmed + reachable_time
  h.run_until(t1 + 30010);                        // the handler re-armed itself HZ/100 later
  EXPECT_EQ(h.state(kRs1), NudState::Stale);
  EXPECT_TRUE(h.take().empty());  // STALE sends nothing and has no timer
  // STALE is still usable.
  EXPECT_EQ(h.send(kRs1).status, ResolveStatus::Usable);
}

TEST(NeighStateMachine, ConfirmationExtendsReachable) {
  NeighHarness h;
  h.resolve(kRs1, kMac1);
  const TimeMs t1 = h.now;
  h.run_until(t1 + 20000);
  h.reply(kRs1, kMac1);  // same MAC, REACHABLE again: confirmed moves, state does not change
  h.run_until(t1 + 49999);
  EXPECT_EQ(h.state(kRs1), NudState::Reachable);
  h.run_until(t1 + 50010);
  EXPECT_EQ(h.state(kRs1), NudState::Stale);
}

TEST(NeighStateMachine, UsedReachableGoesDelayThenProbesUnicastThenFails) {
  NeighHarness h;
  h.resolve(kRs1, kMac1);
  const TimeMs t1 = h.now;
  h.take();
  h.run_until(t1 + 28000);
  EXPECT_EQ(h.send(kRs1).status, ResolveStatus::Usable);  // used 2 s before expiry
  EXPECT_EQ(h.state(kRs1), NudState::Reachable);
  h.run_until(t1 + 30000);
  EXPECT_EQ(h.state(kRs1), NudState::Reachable);
  h.run_until(t1 + 30010);
  EXPECT_EQ(h.state(kRs1), NudState::Delay);  // used within delay_first_probe_time
  EXPECT_TRUE(h.take().empty());
  h.run_until(t1 + 35009);
  EXPECT_EQ(h.state(kRs1), NudState::Delay);
  h.run_until(t1 + 35010);
  EXPECT_EQ(h.state(kRs1), NudState::Probe);
  auto ev = h.take();
  ASSERT_EQ(ev.size(), 1u);  // the first unicast probe goes at once
  EXPECT_EQ(std::get<SolicitRequest>(ev[0]).unicast_to, kMac1);
  EXPECT_EQ(h.table.probes(kRs1), 1u);
  // PROBE is still usable while it probes.
  EXPECT_EQ(h.send(kRs1).status, ResolveStatus::Usable);
  h.run_until(t1 + 37010);
  ev = h.take();
  EXPECT_EQ(unicasts(ev), 2u);
  EXPECT_EQ(broadcasts(ev), 0u);  // mcast_resolicit 0
  h.run_until(t1 + 38009);
  EXPECT_EQ(h.state(kRs1), NudState::Probe);
  h.run_until(t1 + 38010);
  EXPECT_EQ(h.state(kRs1), NudState::Failed);
  ev = h.take();
  ASSERT_EQ(events_of<NeighbourFailed>(ev).size(), 1u);
  EXPECT_EQ(events_of<NeighbourFailed>(ev)[0].from, NudState::Probe);
  EXPECT_EQ(h.send(kRs1).status, ResolveStatus::Pending);  // FAILED: resolve again
}

TEST(NeighStateMachine, ProbeAnsweredGoesReachable) {
  NeighHarness h;
  h.request(kRs1, kMac1);  // creates STALE
  ASSERT_EQ(h.state(kRs1), NudState::Stale);
  const TimeMs t1 = h.now;
  EXPECT_EQ(h.send(kRs1).status, ResolveStatus::Usable);
  EXPECT_EQ(h.state(kRs1), NudState::Delay);
  h.run_until(t1 + 5000);
  EXPECT_EQ(h.state(kRs1), NudState::Probe);
  EXPECT_EQ(unicasts(h.take()), 1u);
  h.reply(kRs1, kMac1);
  EXPECT_EQ(h.state(kRs1), NudState::Reachable);
  h.run_until(t1 + 9000);
  EXPECT_EQ(unicasts(h.take()), 0u);  // probing stopped
}

TEST(NeighStateMachine, DelayAnsweredGoesReachableWithoutProbing) {
  NeighHarness h;
  h.request(kRs1, kMac1);
  const TimeMs t1 = h.now;
  h.send(kRs1);
  ASSERT_EQ(h.state(kRs1), NudState::Delay);
  h.take();
  h.run_until(t1 + 2000);
  h.reply(kRs1, kMac1);
  EXPECT_EQ(h.state(kRs1), NudState::Reachable);
  h.run_until(t1 + 10000);
  EXPECT_TRUE(h.take().empty());
  EXPECT_EQ(h.state(kRs1), NudState::Reachable);
}

TEST(NeighStateMachine, StaleReplyBroadcastOrRequestWithSameMacKeepsState) {
  NeighHarness h;
  h.resolve(kRs1, kMac1);
  h.run_until(h.now + 2000);
  // A request from it (for us) with the same MAC does not demote REACHABLE to STALE.
  EXPECT_EQ(h.request(kRs1, kMac1), ArpVerdict::Unchanged);
  EXPECT_EQ(h.state(kRs1), NudState::Reachable);
  EXPECT_EQ(h.reply(kRs1, kMac1, /*to_us=*/false), ArpVerdict::Unchanged);
  EXPECT_EQ(h.state(kRs1), NudState::Reachable);
}

TEST(NeighStateMachine, FailedHostAnsweringAgainIsMarkedAsBack) {
  NeighHarness h;
  const TimeMs t0 = h.now;
  h.send(kRs1);
  h.run_until(t0 + 3000);
  ASSERT_TRUE(h.table.is_failed(kRs1));
  h.take();
  const std::uint64_t generation = h.table.failed_generation();
  // The daemon retries a dead host: a FAILED entry starts a new round of broadcasts, and the
  // host stays dead while it is asked again (no new connections while INCOMPLETE).
  EXPECT_EQ(h.send(kRs1, {7}).status, ResolveStatus::Pending);
  EXPECT_EQ(h.state(kRs1), NudState::Incomplete);
  EXPECT_TRUE(h.table.is_failed(kRs1));
  EXPECT_EQ(h.table.failed_generation(), generation);
  EXPECT_EQ(broadcasts(h.take()), 1u);
  h.run_until(h.now + 1500);
  h.take();
  h.reply(kRs1, kMac1);
  // Only the answer brings it back.
  EXPECT_FALSE(h.table.is_failed(kRs1));
  EXPECT_NE(h.table.failed_generation(), generation);
  const auto resolved = events_of<NeighbourResolved>(h.take());
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_TRUE(resolved[0].was_failed);  // a dead host coming back
  ASSERT_EQ(resolved[0].packets.size(), 1u);

  // A reply that reaches a FAILED entry directly (e.g. the host ARPs for us) flags it.
  NeighHarness g;
  g.send(kRs2);
  g.run_until(g.now + 3000);
  g.take();
  g.request(kRs2, kMac2);
  const auto back = events_of<NeighbourResolved>(g.take());
  ASSERT_EQ(back.size(), 1u);
  EXPECT_TRUE(back[0].was_failed);
  EXPECT_EQ(g.state(kRs2), NudState::Stale);
}

TEST(NeighStateMachine, ReachableTimeIsDrawnBetweenHalfAndOneAndAHalfBase) {
  for (const auto& [draw, expected] : std::vector<std::pair<std::uint32_t, std::uint32_t>>{
           {0, 15000}, {29999, 44999}, {30000, 15000}, {7, 15007}}) {
    ScriptedRandom random;
    random.values->push_back(draw);
    NeighHarness h({}, random);
    EXPECT_EQ(h.table.reachable_time_ms(), expected) << draw;
    h.resolve(kRs1, kMac1);
    const TimeMs t1 = h.now;
    h.run_until(t1 + expected);
    EXPECT_EQ(h.state(kRs1), NudState::Reachable) << draw;
    h.run_until(t1 + expected + 10);
    EXPECT_EQ(h.state(kRs1), NudState::Stale) << draw;
  }
}

TEST(NeighStateMachine, ReachableTimeIsRedrawnEvery300Seconds) {
  ScriptedRandom random;
  *random.values = {0, 29999, 100};  // ctor: 15000; then 44999; then 15100
  NeighHarness h({}, random);
  const TimeMs t0 = h.now;
  h.advance_to(t0);  // starts the periodic work: first run at t0 + reachable time
  EXPECT_EQ(h.table.reachable_time_ms(), 15000u);
  h.advance_to(t0 + 299'000);
  EXPECT_EQ(h.table.reachable_time_ms(), 15000u);
  // Periodic runs every base/2 = 15 s; the first after 300 s re-draws.
  h.advance_to(t0 + 301'000);
  h.advance_to(t0 + 316'000);
  EXPECT_EQ(h.table.reachable_time_ms(), 44999u);
  h.advance_to(t0 + 500'000);
  EXPECT_EQ(h.table.reachable_time_ms(), 44999u);
  h.advance_to(t0 + 610'000);  // periodic runs, but 300 s since the last draw have not passed
  EXPECT_EQ(h.table.reachable_time_ms(), 44999u);
  h.advance_to(t0 + 630'000);
  EXPECT_EQ(h.table.reachable_time_ms(), 15100u);
  // set_params() re-draws too (a sysctl write does).
  random.values->push_back(1);
  NeighbourParams p;
  p.base_reachable_time_ms = 1000;
  h.table.set_params(p);
  EXPECT_EQ(h.table.reachable_time_ms(), 501u);
}

TEST(NeighStateMachine, NoBroadcastSolicitsMeansImmediateFailure) {
  NeighbourParams p;
  p.mcast_solicit = 0;
  NeighHarness h(p);
  const auto r = h.send(kRs1, {1});
  EXPECT_EQ(r.status, ResolveStatus::Failed);
  EXPECT_EQ(h.state(kRs1), NudState::Failed);
  EXPECT_TRUE(h.take().empty());
  EXPECT_EQ(h.table.stats().unres_drops, 1u);
}

TEST(NeighStateMachine, McastResolicitAddsBroadcastsAfterUnicastProbes) {
  NeighbourParams p;
  p.mcast_resolicit = 2;
  NeighHarness h(p);
  h.request(kRs1, kMac1);
  const TimeMs t1 = h.now;
  h.send(kRs1);
  h.run_until(t1 + 5000 + 4000);
  auto ev = h.take();
  EXPECT_EQ(unicasts(ev), 3u);
  EXPECT_EQ(broadcasts(ev), 2u);
  EXPECT_EQ(h.state(kRs1), NudState::Probe);
  h.run_until(t1 + 5000 + 5000);
  EXPECT_EQ(h.state(kRs1), NudState::Failed);
}

TEST(NeighStateMachine, AppSolicitSlotsSendNothingWithoutArpd) {
  NeighbourParams p;
  p.app_solicit = 1;
  NeighHarness h(p);
  const TimeMs t0 = h.now;
  h.send(kRs1);
  EXPECT_TRUE(h.take().empty());  // the first slot is arpd's
  h.run_until(t0 + 3000);
  EXPECT_EQ(broadcasts(h.take()), 3u);
  EXPECT_EQ(h.state(kRs1), NudState::Incomplete);
  h.run_until(t0 + 4000);
  EXPECT_EQ(h.state(kRs1), NudState::Failed);
}

TEST(NeighStateMachine, RetransTimeIsTheRequestSpacing) {
  NeighbourParams p;
  p.retrans_time_ms = 250;
  NeighHarness h(p);
  const TimeMs t0 = h.now;
  h.send(kRs1);
  h.take();
  h.run_until(t0 + 249);
  EXPECT_TRUE(h.take().empty());
  h.run_until(t0 + 250);
  EXPECT_EQ(broadcasts(h.take()), 1u);
  h.run_until(t0 + 750);
  EXPECT_EQ(h.state(kRs1), NudState::Failed);
}

TEST(NeighStateMachine, PermanentAndNoarpNeverMove) {
  NeighHarness h;
  h.permanent(kRs1, kMac1);
  ASSERT_TRUE(h.table.admin_set(kRs2, kMac2, NudState::Noarp, h.now, h.events));
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(h.send(kRs1).status, ResolveStatus::Usable);
    EXPECT_EQ(h.send(kRs2).status, ResolveStatus::Usable);
    h.advance_to(h.now + 60'000);
  }
  EXPECT_EQ(h.state(kRs1), NudState::Permanent);
  EXPECT_EQ(h.state(kRs2), NudState::Noarp);
  EXPECT_TRUE(events_of<SolicitRequest>(h.take()).empty());
  h.reply(kRs1, kMac1);
  h.reply(kRs2, kMac2);
  EXPECT_EQ(h.state(kRs1), NudState::Permanent);
  EXPECT_EQ(h.state(kRs2), NudState::Noarp);
}

TEST(NeighStateMachine, AdminSetResolvesAnIncompleteEntryAndReleasesItsQueue) {
  NeighHarness h;
  h.send(kRs1, {1});
  h.take();
  ASSERT_TRUE(h.table.admin_set(kRs1, kMac1, NudState::Permanent, h.now, h.events));
  const auto resolved = events_of<NeighbourResolved>(h.take());
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_EQ(resolved[0].packets.size(), 1u);
  EXPECT_FALSE(h.table.admin_set(kRs1, kMac1, NudState::Probe, h.now, h.events));
}

TEST(NeighStateMachine, LookupsAndHitsCountResolveCalls) {
  NeighHarness h;
  h.send(kRs1);  // miss (creates)
  h.send(kRs1);  // miss (INCOMPLETE)
  h.reply(kRs1, kMac1);
  h.send(kRs1);                              // hit
  EXPECT_NE(h.table.lookup(kRs1), nullptr);  // hit
  EXPECT_EQ(h.table.stats().lookups, 4u);
  EXPECT_EQ(h.table.stats().hits, 2u);
  EXPECT_EQ(h.table.stats().allocs, 1u);
  EXPECT_EQ(h.table.stats().entries, 1u);
}

TEST(NeighStateMachine, RemoveDropsQueuedPacketsAndMarksNothingFailed) {
  NeighHarness h;
  h.send(kRs1, {1});
  EXPECT_TRUE(h.table.remove(kRs1));
  EXPECT_EQ(h.table.stats().unres_drops, 1u);
  EXPECT_EQ(h.table.stats().destroys, 1u);
  h.run_until(h.now + 5000);
  EXPECT_EQ(broadcasts(h.take()), 1u);  // only the first one; the entry is gone
  EXPECT_EQ(h.table.find(kRs1), nullptr);
}

TEST(NeighStateMachine, FlushKeepsPermanentUnlessAsked) {
  NeighHarness h;
  h.permanent(kRs1, kMac1);
  h.request(kRs2, kMac2);
  EXPECT_EQ(h.table.flush(), 1u);
  EXPECT_NE(h.table.find(kRs1), nullptr);
  EXPECT_EQ(h.table.flush(true), 1u);
  EXPECT_EQ(h.table.size(), 0u);
  (void)kNoMac;
}

}  // namespace
}  // namespace lvs
