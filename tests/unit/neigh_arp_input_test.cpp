// Received ARP against arp_process() (mainline net/ipv4/arp.c): what may create or update an
// entry, override and locktime, gratuitous ARP, ignored targets and senders, and the arpwatch
// events (MAC change, possible spoof).
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "neigh/arp_observation.h"
#include "support/neigh_harness.h"

namespace lvs {
namespace {

using namespace lvs::test;

TEST(NeighArpInput, RequestForUsCreatesAStaleEntryAndCountsTheProbe) {
  NeighHarness h;
  EXPECT_EQ(h.request(kRs1, kMac1), ArpVerdict::Created);
  EXPECT_EQ(h.state(kRs1), NudState::Stale);
  EXPECT_EQ(h.table.find(kRs1)->lladdr, kMac1);
  EXPECT_EQ(h.table.stats().rcv_probes_mcast, 1u);  // broadcast request
  ArpObservation a;
  a.sender_ip = kRs2;
  a.sender_mac = kMac2;
  a.target_ip = kDirector;
  a.target_is_ours = true;
  a.to_us = true;  // unicast request (a PROBE from its side)
  EXPECT_EQ(h.table.receive_arp(a, h.now, h.events), ArpVerdict::Created);
  EXPECT_EQ(h.table.stats().rcv_probes_ucast, 1u);
  EXPECT_EQ(h.table.stats().allocs, 2u);
  // A new station: announced as resolved (no packets).
  EXPECT_EQ(events_of<NeighbourResolved>(h.take()).size(), 2u);
}

TEST(NeighArpInput, RequestForSomeoneElseOnlyUpdatesExistingEntries) {
  NeighHarness h;
  EXPECT_EQ(h.request(kRs1, kMac1, kRs2, /*target_is_ours=*/false), ArpVerdict::NotCached);
  EXPECT_EQ(h.table.size(), 0u);
  h.send(kRs1);  // INCOMPLETE
  EXPECT_EQ(h.request(kRs1, kMac1, kRs2, false), ArpVerdict::Updated);
  EXPECT_EQ(h.state(kRs1), NudState::Stale);  // requests do not prove reachability
}

TEST(NeighArpInput, UnsolicitedRepliesCreateNothingUnlessArpAccept) {
  NeighHarness h;
  EXPECT_EQ(h.reply(kRs1, kMac1), ArpVerdict::NotCached);
  EXPECT_EQ(h.table.size(), 0u);

  NeighbourParams p;
  p.arp_accept = 1;
  NeighHarness accepting(p);
  EXPECT_EQ(accepting.reply(kRs1, kMac1), ArpVerdict::Created);
  EXPECT_EQ(accepting.state(kRs1), NudState::Reachable);
  // A gratuitous request creates too (STALE), a plain request for someone else does not.
  EXPECT_EQ(accepting.request(kRs2, kMac2, kRs2, false), ArpVerdict::Created);
  EXPECT_EQ(accepting.state(kRs2), NudState::Stale);
  EXPECT_EQ(accepting.request(0x0ac80063, kMacX, kRs2, false), ArpVerdict::NotCached);
}

TEST(NeighArpInput, UnicastReplyIsReachableBroadcastReplyIsStale) {
  NeighHarness h;
  h.send(kRs1);
  h.send(kRs2);
  EXPECT_EQ(h.reply(kRs1, kMac1, /*to_us=*/true), ArpVerdict::Updated);
  EXPECT_EQ(h.reply(kRs2, kMac2, /*to_us=*/false), ArpVerdict::Updated);
  EXPECT_EQ(h.state(kRs1), NudState::Reachable);
  EXPECT_EQ(h.state(kRs2), NudState::Stale);
}

TEST(NeighArpInput, ADifferentMacWithinLocktimeLosesAndIsReportedAsFlipFlop) {
  NeighHarness h;
  h.resolve(kRs1, kMac1);
  h.take();
  h.run_until(h.now + 1000);  // exactly locktime after the update: not yet "after"
  EXPECT_EQ(h.reply(kRs1, kMacX), ArpVerdict::Refused);
  EXPECT_EQ(h.table.find(kRs1)->lladdr, kMac1);  // the first answer wins
  auto spoof = events_of<PossibleSpoof>(h.take());
  ASSERT_EQ(spoof.size(), 1u);
  EXPECT_EQ(spoof[0].reason, PossibleSpoof::Reason::FlipFlop);
  EXPECT_EQ(spoof[0].cached, kMac1);
  EXPECT_EQ(spoof[0].claimed, kMacX);
  EXPECT_EQ(h.table.stats().lladdr_changes, 0u);
  EXPECT_EQ(h.table.stats().spoof_suspects, 1u);
}

TEST(NeighArpInput, ADifferentMacAfterLocktimeReplacesItAndIsLoggedAsAChange) {
  NeighHarness h;
  h.resolve(kRs1, kMac1);
  h.take();
  h.run_until(h.now + 1001);
  EXPECT_EQ(h.reply(kRs1, kMac2), ArpVerdict::Updated);
  EXPECT_EQ(h.table.find(kRs1)->lladdr, kMac2);
  EXPECT_EQ(h.state(kRs1), NudState::Reachable);
  const auto changed = events_of<LladdrChanged>(h.take());
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].ip, kRs1);
  EXPECT_EQ(changed[0].old_lladdr, kMac1);
  EXPECT_EQ(changed[0].new_lladdr, kMac2);
  EXPECT_EQ(h.table.stats().lladdr_changes, 1u);
  EXPECT_EQ(*h.send(kRs1).lladdr, kMac2);  // traffic follows the new MAC
}

TEST(NeighArpInput, GratuitousArpOverridesEvenWithinLocktime) {
  NeighHarness h;
  h.resolve(kRs1, kMac1);
  h.take();
  // Gratuitous request: sender IP == target IP, broadcast.
  EXPECT_EQ(h.request(kRs1, kMac2, kRs1, false), ArpVerdict::Updated);
  EXPECT_EQ(h.table.find(kRs1)->lladdr, kMac2);
  EXPECT_EQ(h.state(kRs1), NudState::Stale);  // new lladdr, not confirmed
  EXPECT_EQ(events_of<LladdrChanged>(h.take()).size(), 1u);
}

TEST(NeighArpInput, AGratuitousReplyNeedsTargetMacEqualToSenderMac) {
  NeighHarness h;
  h.resolve(kRs1, kMac1);
  h.take();
  ArpObservation a;
  a.is_reply = true;
  a.sender_ip = kRs1;
  a.target_ip = kRs1;
  a.sender_mac = kMac2;
  a.target_mac = kBroadcastMac;  // not == sender MAC: not gratuitous, locktime applies
  EXPECT_EQ(h.table.receive_arp(a, h.now, h.events), ArpVerdict::Refused);
  a.target_mac = kMac2;  // arping -A style
  EXPECT_EQ(h.table.receive_arp(a, h.now, h.events), ArpVerdict::Updated);
  EXPECT_EQ(h.table.find(kRs1)->lladdr, kMac2);
}

TEST(NeighArpInput, RequestForUsOverridesRegardlessOfLocktime) {
  NeighHarness h;
  h.resolve(kRs1, kMac1);
  EXPECT_EQ(h.request(kRs1, kMac2), ArpVerdict::Updated);  // neigh_event_ns(): OVERRIDE
  EXPECT_EQ(h.table.find(kRs1)->lladdr, kMac2);
  EXPECT_EQ(h.state(kRs1), NudState::Stale);
}

TEST(NeighArpInput, PermanentIsNeverOverwrittenAndAConflictIsAPossibleSpoof) {
  NeighHarness h;
  h.permanent(kRs1, kMac1);
  h.run_until(h.now + 5000);
  EXPECT_EQ(h.reply(kRs1, kMacX), ArpVerdict::Refused);
  EXPECT_EQ(h.request(kRs1, kMacX), ArpVerdict::Refused);
  EXPECT_EQ(h.request(kRs1, kMacX, kRs1, false), ArpVerdict::Refused);  // even gratuitous
  EXPECT_EQ(h.table.find(kRs1)->lladdr, kMac1);
  EXPECT_EQ(h.state(kRs1), NudState::Permanent);
  const auto spoof = events_of<PossibleSpoof>(h.take());
  ASSERT_EQ(spoof.size(), 3u);
  EXPECT_EQ(spoof[0].reason, PossibleSpoof::Reason::PermanentConflict);
  EXPECT_EQ(spoof[0].ip, kRs1);
  EXPECT_EQ(spoof[0].cached, kMac1);
  EXPECT_EQ(spoof[0].claimed, kMacX);
  EXPECT_EQ(h.table.stats().spoof_suspects, 3u);
  EXPECT_EQ(h.table.stats().lladdr_changes, 0u);
  // The right MAC is no conflict.
  EXPECT_EQ(h.reply(kRs1, kMac1), ArpVerdict::Unchanged);
  EXPECT_TRUE(h.take().empty());
}

TEST(NeighArpInput, BogusTargetsSendersAndDadProbesAreIgnored) {
  NeighHarness h;
  h.send(kRs1);
  EXPECT_EQ(h.request(kRs1, kMac1, 0xe0000001, false), ArpVerdict::IgnoredTarget);  // 224.0.0.1
  EXPECT_EQ(h.request(kRs1, kMac1, 0x7f000001, false), ArpVerdict::IgnoredTarget);  // 127.0.0.1
  EXPECT_EQ(h.request(0, kMac1, kRs1, false), ArpVerdict::DadProbe);
  EXPECT_EQ(h.request(0xffffffff, kMac1), ArpVerdict::IgnoredSender);
  EXPECT_EQ(h.request(0xe0000001, kMac1), ArpVerdict::IgnoredSender);
  EXPECT_EQ(h.request(kRs1, kBroadcastMac), ArpVerdict::IgnoredSender);
  EXPECT_EQ(h.request(kRs1, MacAddress{0x01, 0, 0x5e, 0, 0, 1}), ArpVerdict::IgnoredSender);
  EXPECT_EQ(h.request(kRs1, MacAddress{}), ArpVerdict::IgnoredSender);
  ArpObservation a;
  a.sender_ip = kVip;
  a.sender_mac = kMacX;
  a.target_ip = kDirector;
  a.sender_is_ours = true;  // someone claims our VIP: not cached (the DAD logic's business)
  EXPECT_EQ(h.table.receive_arp(a, h.now, h.events), ArpVerdict::IgnoredSender);
  EXPECT_EQ(h.state(kRs1), NudState::Incomplete);
  EXPECT_EQ(h.table.size(), 1u);
}

TEST(NeighArpInput, RequestFromAnUnresolvedHostReleasesItsQueueAndCountsAsUse) {
  NeighHarness h;
  h.send(kRs1, {1});
  h.send(kRs1, {2});
  h.take();
  EXPECT_EQ(h.request(kRs1, kMac1), ArpVerdict::Updated);
  const auto resolved = events_of<NeighbourResolved>(h.take());
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_EQ(resolved[0].packets.size(), 2u);
  // Released through a STALE entry: that is a use, so DELAY (neigh_resolve_output()).
  EXPECT_EQ(h.state(kRs1), NudState::Delay);
}

TEST(NeighArpInput, ServerChangingItsMacIsFollowedThroughProbeFailureAndReResolution) {
  NeighHarness h;
  h.resolve(kRs1, kMac1);
  h.take();
  // rs1's NIC is replaced (new MAC, no gratuitous ARP). Traffic keeps flowing to the old MAC
  // until reachability is questioned.
  const TimeMs t1 = h.now;
  h.run_until(t1 + 30010);
  ASSERT_EQ(h.state(kRs1), NudState::Stale);
  h.send(kRs1);  // DELAY
  h.run_until(h.now + 5000);
  ASSERT_EQ(h.state(kRs1), NudState::Probe);
  auto ev = h.take();
  ASSERT_EQ(unicasts(ev), 1u);
  EXPECT_EQ(events_of<SolicitRequest>(ev)[0].unicast_to, kMac1);  // the old MAC: no answer
  h.run_until(h.now + 3000);
  ASSERT_EQ(h.state(kRs1), NudState::Failed);
  h.take();
  h.send(kRs1, {42});  // next packet: broadcast again
  EXPECT_EQ(broadcasts(h.take()), 1u);
  h.reply(kRs1, kMac2);
  ev = h.take();
  const auto changed = events_of<LladdrChanged>(ev);
  ASSERT_EQ(changed.size(), 1u);  // the FAILED entry remembered the old MAC
  EXPECT_EQ(changed[0].old_lladdr, kMac1);
  EXPECT_EQ(changed[0].new_lladdr, kMac2);
  const auto resolved = events_of<NeighbourResolved>(ev);
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_EQ(resolved[0].lladdr, kMac2);
  EXPECT_EQ(resolved[0].packets.size(), 1u);
  EXPECT_EQ(h.table.stats().lladdr_changes, 1u);
}

TEST(NeighArpInput, ObservationFromAParsedFrame) {
  const std::array<Ipv4, 2> ours{kDirector, kVip};
  ArpPacket request = arp_request(kMac1, kRs1, kVip);
  ArpObservation o = arp_observation(request, kOurMac, ours);
  EXPECT_FALSE(o.is_reply);
  EXPECT_FALSE(o.to_us);  // broadcast
  EXPECT_TRUE(o.target_is_ours);
  EXPECT_FALSE(o.sender_is_ours);
  EXPECT_EQ(o.sender_ip, kRs1);
  EXPECT_EQ(o.sender_mac, kMac1);

  ArpPacket reply = arp_reply(kMac1, kRs1, kOurMac, kDirector);
  o = arp_observation(reply, kOurMac, ours);
  EXPECT_TRUE(o.is_reply);
  EXPECT_TRUE(o.to_us);

  ArpPacket conflict = arp_gratuitous(kMacX, kVip);
  o = arp_observation(conflict, kOurMac, ours);
  EXPECT_TRUE(o.sender_is_ours);

  ArpPacket probe = arp_probe(kMacX, kVip);
  o = arp_observation(probe, kOurMac, ours);
  EXPECT_FALSE(o.sender_is_ours);  // 0.0.0.0 claims nothing
  NeighHarness h;
  EXPECT_EQ(h.table.receive_arp(o, h.now, h.events), ArpVerdict::DadProbe);
}

TEST(NeighArpInput, VerdictNamesAreStable) {
  EXPECT_EQ(arp_verdict_name(ArpVerdict::IgnoredTarget), "ignored_target");
  EXPECT_EQ(arp_verdict_name(ArpVerdict::Refused), "refused");
  EXPECT_EQ(arp_verdict_name(ArpVerdict::TableFull), "table_full");
}

}  // namespace
}  // namespace lvs
