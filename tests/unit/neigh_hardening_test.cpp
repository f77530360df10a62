// The director's rules on top of Linux's neighbour code (neighbour_table.h, "Hardening"; issue 12
// findings 4 and 6): the wanted set (ARP from other senders creates nothing, counted), garbage
// collection never evicting an entry in use, and the MAC change check, bit by bit on an explicit
// clock: probes to the old MAC at 0, retrans, 2*retrans; the old MAC answering rejects the change
// and holds off further checks for base_reachable_time; silence until 3*retrans accepts it.
#include <gtest/gtest.h>

#include <vector>

#include "support/neigh_harness.h"

namespace lvs {
namespace {

using namespace lvs::test;

constexpr Ipv4 host(std::uint32_t n) { return 0x0a640000 + n; }  // 10.100.x.y: spoofed senders
MacAddress mac(std::uint32_t n) {
  return MacAddress{0x02,
                    0x5e,
                    0,
                    static_cast<std::uint8_t>(n >> 16),
                    static_cast<std::uint8_t>(n >> 8),
                    static_cast<std::uint8_t>(n)};
}

std::vector<LladdrChangeCheck> checks(const NeighbourEvents& events) {
  return events_of<LladdrChangeCheck>(events);
}

// --- the wanted set (finding 4) ------------------------------------------------------------------

TEST(NeighHardening, ArpFromSendersNotWantedCreatesNothingAndIsCounted) {
  NeighHarness h;
  h.table.set_wanted({kRs1, kRs2});
  for (std::uint32_t i = 1; i <= 100000; ++i) {
    ASSERT_EQ(h.request(host(i), mac(i)), ArpVerdict::Unwanted);  // who-has us, spoofed
  }
  EXPECT_EQ(h.table.size(), 0u);
  EXPECT_EQ(h.table.stats().unwanted_arp, 100000u);
  EXPECT_EQ(h.table.stats().rcv_probes_mcast, 100000u);  // still received probes
  EXPECT_EQ(h.table.stats().allocs, 0u);
  EXPECT_EQ(h.table.stats().table_fulls, 0u);
  EXPECT_EQ(h.table.stats().forced_gc_runs, 0u);
  // A wanted sender's request for us still creates its entry, as neigh_event_ns() does.
  EXPECT_EQ(h.request(kRs1, kMac1), ArpVerdict::Created);
  EXPECT_EQ(h.state(kRs1), NudState::Stale);
  EXPECT_EQ(h.table.stats().unwanted_arp, 100000u);
}

TEST(NeighHardening, ArpAcceptCreatesOnlyForWantedAddressesEither) {
  NeighbourParams p;
  p.arp_accept = 1;
  NeighHarness h(p);
  h.table.set_wanted({kRs1});
  EXPECT_EQ(h.reply(kRs2, kMac2), ArpVerdict::Unwanted);
  EXPECT_EQ(h.request(kRs2, kMac2, kRs2, false), ArpVerdict::Unwanted);  // gratuitous
  EXPECT_EQ(h.reply(kRs1, kMac1), ArpVerdict::Created);
  EXPECT_EQ(h.table.size(), 1u);
  EXPECT_EQ(h.table.stats().unwanted_arp, 2u);
}

TEST(NeighHardening, WithoutAWantedSetTheTableFollowsLinux) {
  NeighHarness h;  // the Linux-rule tests' table: no set_wanted()
  EXPECT_EQ(h.request(host(1), mac(1)), ArpVerdict::Created);
  EXPECT_FALSE(h.table.wanted(host(1)));
  EXPECT_EQ(h.table.stats().unwanted_arp, 0u);
}

TEST(NeighHardening, AnEntryAlreadyThereIsUpdatedEvenIfNotWanted) {
  NeighHarness h;
  h.table.set_wanted({kRs1});
  // An administrator's entry (`lvsadm neigh add ... nud stale`) for an address no service uses.
  ASSERT_TRUE(h.table.admin_set(kRs2, kMac2, NudState::Stale, h.now, h.events));
  h.now += 2000;  // past locktime
  EXPECT_EQ(h.reply(kRs2, kMac2), ArpVerdict::Updated);
  EXPECT_EQ(h.state(kRs2), NudState::Reachable);
  EXPECT_EQ(h.table.stats().unwanted_arp, 0u);
}

// --- garbage collection never takes an entry in use (finding 4) ------------------------------

// Two real servers learned and gone STALE (no timer: collectable by Linux's rules), then the
// table filled to gc_thresh3 with other entries: the forced GC that the next entry triggers.
struct FullTable {
  explicit FullTable(bool wanted) : h(params()) {
    if (wanted) h.table.set_wanted({kRs1, kRs2});
    h.resolve(kRs1, kMac1);
    h.resolve(kRs2, kMac2);
    h.run_until(h.now + 40'000);  // REACHABLE -> STALE, not updated for 5 s
    EXPECT_EQ(h.state(kRs1), NudState::Stale);
    for (std::uint32_t i = 1; i <= 6; ++i) {  // other entries, older than 5 s too
      EXPECT_TRUE(h.table.admin_set(host(i), mac(i), NudState::Stale, h.now, h.events));
    }
    h.now += 6000;
    h.take();
  }
  static NeighbourParams params() {
    NeighbourParams p;
    p.gc_thresh1 = 1000;  // keep the periodic work out of it
    p.gc_thresh2 = 4;
    p.gc_thresh3 = 8;
    return p;
  }
  NeighHarness h;
};

TEST(NeighHardening, LinuxForcedGcEvictsIdleRealServers) {
  FullTable f(false);
  ASSERT_TRUE(f.h.table.admin_set(host(100), mac(100), NudState::Stale, f.h.now, f.h.events));
  EXPECT_EQ(f.h.table.find(kRs1), nullptr);  // the oldest, evicted first: finding 4 on main
  EXPECT_EQ(f.h.table.find(kRs2), nullptr);
}

TEST(NeighHardening, ForcedGcSkipsEntriesInUse) {
  FullTable f(true);
  ASSERT_EQ(f.h.table.size(), 8u);  // at gc_thresh3
  const NeighbourStats before = f.h.table.stats();
  ASSERT_TRUE(f.h.table.admin_set(host(100), mac(100), NudState::Stale, f.h.now, f.h.events));
  ASSERT_NE(f.h.table.find(kRs1), nullptr);
  ASSERT_NE(f.h.table.find(kRs2), nullptr);
  EXPECT_EQ(f.h.table.find(kRs1)->lladdr, kMac1);
  EXPECT_EQ(f.h.table.stats().forced_gc_runs, before.forced_gc_runs + 1);
  EXPECT_EQ(f.h.table.stats().gc_skipped_in_use, before.gc_skipped_in_use + 2);
  // Down to gc_thresh2 = 4 by evicting the four oldest not in use (host 1..4), then the new one.
  EXPECT_EQ(f.h.table.size(), 5u);
  for (std::uint32_t i = 1; i <= 4; ++i) EXPECT_EQ(f.h.table.find(host(i)), nullptr);
  EXPECT_NE(f.h.table.find(host(5)), nullptr);
}

TEST(NeighHardening, AWantedAddressIsNeverRefusedByTheTableLimit) {
  NeighbourParams p = FullTable::params();
  NeighHarness h(p);
  h.table.set_wanted({kRs1});
  for (std::uint32_t i = 1; i <= 8; ++i) {  // fresh: nothing the forced GC may take
    ASSERT_TRUE(h.table.admin_set(host(i), mac(i), NudState::Stale, h.now, h.events));
  }
  EXPECT_EQ(h.send(host(50)).status, ResolveStatus::TableFull);
  EXPECT_EQ(h.send(kRs1).status, ResolveStatus::Pending);  // INCOMPLETE: asked for
  EXPECT_EQ(h.state(kRs1), NudState::Incomplete);
}

TEST(NeighHardening, PeriodicGcKeepsAWantedEntryUnusedForLong) {
  NeighbourParams p;
  p.gc_thresh1 = 0;
  NeighHarness h(p);
  h.table.set_wanted({kRs1});
  h.resolve(kRs1, kMac1);
  h.request(kRs2, kMac2);  // not wanted: no entry at all
  ASSERT_TRUE(h.table.admin_set(kRs2, kMac2, NudState::Stale, h.now, h.events));
  h.run_until(h.now + 200'000);  // far past gc_stale_time (60 s)
  EXPECT_EQ(h.state(kRs1), NudState::Stale);
  EXPECT_EQ(h.table.find(kRs2), nullptr);  // the unwanted idle one went, as in Linux
}

// --- the MAC change check (finding 6) ---------------------------------------------------------

// rs1 learned at kMac1 (REACHABLE), the clock 2 s later: past locktime, where Linux would let
// one forged reply replace the MAC.
struct Learned {
  explicit Learned(NeighbourParams p = {}) : h(p) {
    h.table.set_wanted({kRs1, kRs2});
    h.resolve(kRs1, kMac1);
    h.now += 2000;
    h.table.run_timers(h.now, h.events);
    h.take();
    t0 = h.now;
  }
  NeighHarness h;
  TimeMs t0 = 0;
};

TEST(NeighHardening, AForgedReplyStartsACheckAndTrafficStaysOnTheOldMac) {
  Learned l;
  NeighHarness& h = l.h;
  EXPECT_EQ(h.reply(kRs1, kMacX), ArpVerdict::ChangeChecking);
  const NeighbourEvents ev = h.take();
  ASSERT_EQ(checks(ev).size(), 1u);
  EXPECT_EQ(checks(ev)[0].outcome, LladdrChangeCheck::Outcome::Started);
  EXPECT_EQ(checks(ev)[0].current, kMac1);
  EXPECT_EQ(checks(ev)[0].claimed, kMacX);
  const auto solicits = events_of<SolicitRequest>(ev);
  ASSERT_EQ(solicits.size(), 1u);  // the first probe at once, unicast to the old MAC
  EXPECT_EQ(solicits[0].target, kRs1);
  EXPECT_EQ(solicits[0].unicast_to, kMac1);
  EXPECT_TRUE(events_of<LladdrChanged>(ev).empty());
  EXPECT_EQ(*h.table.lookup(kRs1), kMac1);
  EXPECT_EQ(h.table.change_candidate(kRs1), kMacX);
  EXPECT_EQ(h.state(kRs1), NudState::Reachable);
  const Resolution r = h.send(kRs1);
  ASSERT_EQ(r.status, ResolveStatus::Usable);
  EXPECT_EQ(*r.lladdr, kMac1);
  EXPECT_EQ(h.table.stats().lladdr_change_checks, 1u);
  EXPECT_EQ(h.table.stats().lladdr_change_probes, 1u);
  EXPECT_EQ(h.table.stats().lladdr_changes, 0u);
  EXPECT_EQ(h.table.next_timer(), l.t0 + 1000);  // the next probe
}

// A server that really moved, under traffic: its entry goes DELAY -> PROBE and the unicast
// probes to the old MAC run out before the check's do. The silence decides the check there and
// then: the new MAC is taken, the entry never goes FAILED and the server is not a dead host.
TEST(NeighHardening, AMovedServerWhoseProbesRunOutIsTakenAtItsNewMacNotMarkedDead) {
  NeighHarness h;
  h.table.set_wanted({kRs1});
  const TimeMs t0 = h.now;
  h.resolve(kRs1, kMac1);  // REACHABLE for 30 s
  h.now = t0 + 29'000;
  h.send(kRs1);              // in use
  h.run_until(t0 + 35'010);  // DELAY at 30.01 s, PROBE at 35.01 s: first unicast probe
  ASSERT_EQ(h.state(kRs1), NudState::Probe);
  h.take();
  h.now = t0 + 35'500;
  ASSERT_EQ(h.request(kRs1, kMacX), ArpVerdict::ChangeChecking);  // its new NIC asks for us
  h.run_until(t0 + 38'009);
  EXPECT_EQ(h.table.find(kRs1)->lladdr, kMac1);
  h.run_until(t0 + 38'010);  // the third PROBE probe's retrans_time: Linux would go FAILED
  const NeighbourEvents ev = h.take();
  EXPECT_TRUE(events_of<NeighbourFailed>(ev).empty());
  ASSERT_EQ(checks(ev).size(), 2u);  // Started (at 35.5 s), Accepted
  EXPECT_EQ(checks(ev)[1].outcome, LladdrChangeCheck::Outcome::Accepted);
  EXPECT_EQ(h.table.find(kRs1)->lladdr, kMacX);
  EXPECT_EQ(h.state(kRs1), NudState::Stale);
  EXPECT_FALSE(h.table.is_failed(kRs1));
  EXPECT_EQ(h.table.stats().res_failed, 0u);
  EXPECT_EQ(h.table.stats().lladdr_changes_confirmed, 1u);
}

TEST(NeighHardening, ClaimsDuringACheckAreRefusedWithoutNewProbes) {
  Learned l;
  NeighHarness& h = l.h;
  h.reply(kRs1, kMacX);
  h.take();
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(h.reply(kRs1, kMacX), ArpVerdict::Refused);
  EXPECT_EQ(h.reply(kRs1, kMac2), ArpVerdict::Refused);  // a third MAC: the first claim stands
  const NeighbourEvents ev = h.take();
  EXPECT_EQ(unicasts(ev), 0u);
  const auto spoofs = events_of<PossibleSpoof>(ev);
  ASSERT_EQ(spoofs.size(), 1001u);
  EXPECT_EQ(spoofs[0].reason, PossibleSpoof::Reason::ChangeUnconfirmed);
  EXPECT_EQ(spoofs[0].cached, kMac1);
  EXPECT_EQ(spoofs[0].claimed, kMacX);
  EXPECT_EQ(h.table.stats().lladdr_claims_refused, 1001u);
  EXPECT_EQ(h.table.stats().lladdr_change_checks, 1u);
  EXPECT_EQ(h.table.change_candidate(kRs1), kMacX);
}

TEST(NeighHardening, ProbesGoEveryRetransTimeThenSilenceAcceptsTheChange) {
  Learned l;
  NeighHarness& h = l.h;
  h.reply(kRs1, kMacX);
  h.take();
  h.advance_to(l.t0 + 999);
  EXPECT_EQ(unicasts(h.take()), 0u);
  h.advance_to(l.t0 + 1000);
  NeighbourEvents ev = h.take();
  ASSERT_EQ(unicasts(ev), 1u);
  EXPECT_EQ(events_of<SolicitRequest>(ev)[0].unicast_to, kMac1);
  h.advance_to(l.t0 + 1999);
  EXPECT_EQ(unicasts(h.take()), 0u);
  h.advance_to(l.t0 + 2000);
  EXPECT_EQ(unicasts(h.take()), 1u);
  EXPECT_EQ(h.table.stats().lladdr_change_probes, 3u);
  h.advance_to(l.t0 + 2999);  // the third probe's retrans_time is not up yet
  ev = h.take();
  EXPECT_TRUE(checks(ev).empty());
  EXPECT_EQ(*h.table.lookup(kRs1), kMac1);
  h.advance_to(l.t0 + 3000);
  ev = h.take();
  ASSERT_EQ(checks(ev).size(), 1u);
  EXPECT_EQ(checks(ev)[0].outcome, LladdrChangeCheck::Outcome::Accepted);
  EXPECT_EQ(checks(ev)[0].probes, 3u);
  EXPECT_EQ(checks(ev)[0].current, kMac1);
  const auto changed = events_of<LladdrChanged>(ev);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].old_lladdr, kMac1);
  EXPECT_EQ(changed[0].new_lladdr, kMacX);
  EXPECT_EQ(h.table.find(kRs1)->lladdr, kMacX);
  EXPECT_EQ(h.state(kRs1), NudState::Stale);  // unconfirmed: its next use probes the new MAC
  EXPECT_FALSE(h.table.change_candidate(kRs1).has_value());
  EXPECT_EQ(h.table.stats().lladdr_changes_confirmed, 1u);
  EXPECT_EQ(h.table.stats().lladdr_changes_rejected, 0u);
  EXPECT_EQ(h.table.stats().lladdr_changes, 1u);
  EXPECT_EQ(h.table.stats().lladdr_change_probes, 3u);
}

TEST(NeighHardening, TheOldMacAnsweringRejectsTheChangeAndHoldsOffNewChecks) {
  Learned l;
  NeighHarness& h = l.h;
  h.reply(kRs1, kMacX);
  h.advance_to(l.t0 + 1000);  // second probe
  h.take();
  h.now = l.t0 + 1500;
  EXPECT_EQ(h.reply(kRs1, kMac1), ArpVerdict::Unchanged);  // rs1 answers the probe
  NeighbourEvents ev = h.take();
  ASSERT_EQ(checks(ev).size(), 1u);
  EXPECT_EQ(checks(ev)[0].outcome, LladdrChangeCheck::Outcome::Rejected);
  EXPECT_EQ(checks(ev)[0].probes, 2u);
  EXPECT_EQ(checks(ev)[0].claimed, kMacX);
  EXPECT_EQ(h.table.stats().lladdr_changes_rejected, 1u);
  EXPECT_FALSE(h.table.change_candidate(kRs1).has_value());
  EXPECT_EQ(h.state(kRs1), NudState::Reachable);
  // No more probes, no change, ever from this check.
  h.run_until(l.t0 + 5000);
  ev = h.take();
  EXPECT_EQ(unicasts(ev), 0u);
  EXPECT_TRUE(events_of<LladdrChanged>(ev).empty());
  EXPECT_EQ(h.table.find(kRs1)->lladdr, kMac1);
  // Held off for base_reachable_time (30 s) after the rejection: refused, no probe.
  h.now = l.t0 + 1500 + 29'999;
  EXPECT_EQ(h.reply(kRs1, kMacX), ArpVerdict::Refused);
  EXPECT_EQ(unicasts(h.take()), 0u);
  EXPECT_EQ(h.table.stats().lladdr_change_checks, 1u);
  h.now = l.t0 + 1500 + 30'000;
  EXPECT_EQ(h.reply(kRs1, kMacX), ArpVerdict::ChangeChecking);
  EXPECT_EQ(unicasts(h.take()), 1u);
  EXPECT_EQ(h.table.stats().lladdr_change_checks, 2u);
}

TEST(NeighHardening, AnyArpFromTheOldMacCountsAsAnAnswer) {
  Learned l;
  NeighHarness& h = l.h;
  h.reply(kRs1, kMacX);
  h.take();
  // rs1 asking for someone else with its own MAC: alive.
  h.request(kRs1, kMac1, kRs2, false);
  EXPECT_EQ(h.table.stats().lladdr_changes_rejected, 1u);
  EXPECT_FALSE(h.table.change_candidate(kRs1).has_value());
}

TEST(NeighHardening, RequestsAndGratuitousArpAreCheckedToo) {
  Learned l;
  NeighHarness& h = l.h;
  // neigh_event_ns() overrides regardless of locktime; here it starts a check.
  EXPECT_EQ(h.request(kRs1, kMacX), ArpVerdict::ChangeChecking);
  EXPECT_EQ(h.table.find(kRs1)->lladdr, kMac1);
  Learned g;
  // Gratuitous ARP (sender == target): Linux overrides at once; here it starts a check.
  EXPECT_EQ(g.h.request(kRs1, kMacX, kRs1, false), ArpVerdict::ChangeChecking);
  EXPECT_EQ(g.h.table.find(kRs1)->lladdr, kMac1);
}

TEST(NeighHardening, WithinLocktimeTooTheClaimIsChecked) {
  NeighHarness h;
  h.table.set_wanted({kRs1});
  h.resolve(kRs1, kMac1);
  h.take();
  h.now += 10;  // Linux: refused as a flip-flop; here the old MAC is asked either way
  EXPECT_EQ(h.reply(kRs1, kMacX), ArpVerdict::ChangeChecking);
}

TEST(NeighHardening, UnwantedEntriesKeepLinuxOverride) {
  NeighHarness h;
  h.table.set_wanted({kRs2});
  h.send(kRs1);  // resolve() is the director's own choice: not restricted
  h.reply(kRs1, kMac1);
  h.now += 2000;
  EXPECT_EQ(h.reply(kRs1, kMacX), ArpVerdict::Updated);
  EXPECT_EQ(h.table.find(kRs1)->lladdr, kMacX);
  EXPECT_EQ(h.table.stats().lladdr_change_checks, 0u);
}

TEST(NeighHardening, AnUnresolvedWantedEntryTakesTheFirstAnswer) {
  NeighHarness h;
  h.table.set_wanted({kRs1});
  h.send(kRs1);  // INCOMPLETE: no MAC to protect yet
  EXPECT_EQ(h.reply(kRs1, kMacX), ArpVerdict::Updated);
  EXPECT_EQ(h.table.find(kRs1)->lladdr, kMacX);
  EXPECT_EQ(h.table.stats().lladdr_change_checks, 0u);
}

TEST(NeighHardening, PermanentEntriesStillRefuseOutright) {
  NeighHarness h;
  h.table.set_wanted({kRs1});
  h.permanent(kRs1, kMac1);
  h.take();
  EXPECT_EQ(h.reply(kRs1, kMacX), ArpVerdict::Refused);
  const NeighbourEvents ev = h.take();
  ASSERT_EQ(events_of<PossibleSpoof>(ev).size(), 1u);
  EXPECT_EQ(events_of<PossibleSpoof>(ev)[0].reason, PossibleSpoof::Reason::PermanentConflict);
  EXPECT_EQ(unicasts(ev), 0u);
  EXPECT_EQ(h.table.stats().lladdr_change_checks, 0u);
}

TEST(NeighHardening, AnAdministratorOrAReloadEndsACheck) {
  Learned l;
  NeighHarness& h = l.h;
  h.reply(kRs1, kMacX);
  h.permanent(kRs1, kMac1);  // `lvsadm neigh add`: decided
  EXPECT_FALSE(h.table.change_candidate(kRs1).has_value());
  h.take();
  h.run_until(l.t0 + 4000);
  EXPECT_EQ(unicasts(h.take()), 0u);
  EXPECT_EQ(h.table.find(kRs1)->lladdr, kMac1);

  Learned r;
  r.h.reply(kRs1, kMacX);
  r.h.table.set_wanted({kRs2});  // rs1 no longer configured
  EXPECT_FALSE(r.h.table.change_candidate(kRs1).has_value());
}

TEST(NeighHardening, ZeroUnicastSolicitsStillProbesOnce) {
  NeighbourParams p;
  p.ucast_solicit = 0;
  Learned l(p);
  NeighHarness& h = l.h;
  h.reply(kRs1, kMacX);
  EXPECT_EQ(unicasts(h.take()), 1u);
  h.advance_to(l.t0 + 1000);
  EXPECT_EQ(h.table.find(kRs1)->lladdr, kMacX);
  EXPECT_EQ(h.table.stats().lladdr_changes_confirmed, 1u);
}

TEST(NeighHardening, AForgedFloodCostsOneCheckPerHoldPeriod) {
  Learned l;
  NeighHarness& h = l.h;
  std::size_t probes = 0;
  std::size_t rejected = 0;
  // 200k forged replies over 60 s while rs1 answers every probe at once.
  for (int i = 0; i < 200000; ++i) {
    h.now = l.t0 + static_cast<TimeMs>(i) * 60'000 / 200'000;
    h.table.run_timers(h.now, h.events);
    h.reply(kRs1, kMacX);
    for (const auto& s : events_of<SolicitRequest>(h.take())) {
      ASSERT_EQ(s.unicast_to, kMac1);
      ++probes;
      h.reply(kRs1, kMac1);  // the real rs1 answers
      for (const auto& c : checks(h.take()))
        rejected += c.outcome == LladdrChangeCheck::Outcome::Rejected;
    }
    ASSERT_EQ(h.table.find(kRs1)->lladdr, kMac1);
  }
  EXPECT_EQ(h.table.stats().lladdr_changes, 0u);
  EXPECT_EQ(rejected, 2u);  // at t0 and 30 s later
  EXPECT_EQ(probes, 2u);    // each check ended at its first probe's answer
}

}  // namespace
}  // namespace lvs
