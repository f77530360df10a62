// The director's pure core driven whole, with no kernel: a configuration applied, packets
// decided, ARP answers received, timers run and ticks taken, exactly as the daemon feeds it —
// and the dead-host policy between the neighbour table (the one owner of "dead") and the
// services: a real server whose ARP resolution fails gets no new connections until it answers,
// stays dead while it is asked again and when its entry is flushed or collected, and is
// forgotten once no service uses it.
#include "balancer/balancer.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <variant>
#include <vector>

#include "support/config_yaml.h"
#include "support/lab_addresses.h"
#include "support/packet_builder.h"

namespace lvs {
namespace {

using test::kClient;
using test::kDirector;
using test::kMac1;
using test::kOurMac;
using test::kRs1;
using test::kRs2;
using test::kVip;

// rr over rs2 (MAC configured: PERMANENT) and, unless left out, rs1 (learned by ARP).
std::string rr_service(bool with_rs1) {
  return std::string(R"(
director: {vip-mode: external}
services:
  - tcp-service: 10.200.0.100:80
    scheduler: rr
    real-servers:
)") + (with_rs1 ? "      - {real-server: 10.200.0.11:80}\n" : "") +
         "      - {real-server: 10.200.0.12:80, mac: \"02:00:00:00:00:0c\"}\n";
}
const std::string kTwoServers = rr_service(true);
const std::string kOnlyRs2 = rr_service(false);

class BalancerTest : public ::testing::Test {
 protected:
  BalancerTest() : balancer(now, [] { return 15000u; }) {}

  ApplyReport apply(const std::string& yaml) {
    return balancer.apply(test::director_config(yaml), kDirector, now, events);
  }
  // What the daemon does after each call: the events carried out (here: kept for the test to
  // read), then the dead-host policy.
  std::vector<DeadHostPolicy::Change> settle() {
    taken.insert(taken.end(), events.begin(), events.end());
    events.clear();
    return balancer.apply_dead_hosts();
  }
  // A new connection: the real server it was sent to, 0 if it was queued or dropped.
  Ipv4 connect(std::uint16_t sport) {
    const auto syn = test::ipv4_packet(kProtoTcp, kClient, sport, kVip, 80, {.syn = true});
    const PacketDecision d = balancer.decide(syn, 0, now, events);
    settle();
    if (d.action != PacketAction::Send) return 0;
    return *d.destination_mac == kMac1 ? kRs1 : kRs2;
  }
  void advance(TimeMs ms) {
    for (TimeMs end = now + ms; now < end;) {
      now += 10;
      balancer.run_neighbour_timers(now, events);
      balancer.tick(now, events);
      settle();
    }
  }
  void arp_reply_from_rs1() {
    ArpPacket a;
    a.op = ArpOp::Reply;
    a.eth_destination = kOurMac;
    a.sender_mac = kMac1;
    a.sender_ip = kRs1;
    a.target_mac = kOurMac;
    a.target_ip = kDirector;
    balancer.receive_arp(a, kOurMac, now, events);
  }
  bool rs1_dead() const {
    for (const Destination* d : balancer.services().services()[0]->destinations()) {
      if (d->address.addr == kRs1) return d->dead;
    }
    ADD_FAILURE() << "rs1 is not configured";
    return false;
  }
  std::size_t solicits_for(Ipv4 ip) const {
    std::size_t n = 0;
    for (const auto& e : taken) {
      if (const auto* s = std::get_if<SolicitRequest>(&e)) n += s->target == ip;
    }
    return n;
  }

  TimeMs now = 1'000'000;
  Balancer balancer;
  NeighbourEvents events;
  NeighbourEvents taken;
};

TEST_F(BalancerTest, ApplyLoadsTheServicesAndThePermanentNeighbours) {
  const ApplyReport report = apply(kTwoServers);
  EXPECT_EQ(report.commands.size(), 3u);  // -A, -a, -a
  EXPECT_TRUE(report.warnings.empty());
  ASSERT_NE(balancer.neighbours().find(kRs2), nullptr);
  EXPECT_EQ(balancer.neighbours().find(kRs2)->state, NudState::Permanent);
  EXPECT_EQ(balancer.neighbours().find(kRs1), nullptr);  // learned on demand, by ARP
}

TEST_F(BalancerTest, ARealServerThatNeverAnswersIsDeadUntilItDoes) {
  apply(kTwoServers);
  settle();
  // rr: one of the first two connections goes to rs1, whose MAC is unknown: queued, ARP asked.
  EXPECT_EQ((std::set<Ipv4>{connect(40000), connect(40001)}), (std::set<Ipv4>{0, kRs2}));
  EXPECT_EQ(solicits_for(kRs1), 1u);
  EXPECT_FALSE(rs1_dead());
  // No answer within mcast_solicit * retrans_time (3 s): FAILED, dead.
  advance(3500);
  EXPECT_TRUE(balancer.neighbours().is_failed(kRs1));
  EXPECT_TRUE(rs1_dead());
  // While dead, every new connection goes to rs2.
  for (std::uint16_t port = 40002; port < 40012; ++port) EXPECT_EQ(connect(port), kRs2);

  // It is asked again every 5 s, and stays dead while it is (INCOMPLETE is not alive).
  const std::size_t asked = solicits_for(kRs1);
  advance(DeadHostPolicy::kResolveIntervalMs);
  EXPECT_GT(solicits_for(kRs1), asked);
  EXPECT_TRUE(rs1_dead());

  // Flushing the neighbour table forgets the entry, not the death.
  balancer.neighbours().flush();
  EXPECT_TRUE(settle().empty());
  EXPECT_TRUE(rs1_dead());

  // The next time it is asked, it answers: alive again, in rotation.
  advance(DeadHostPolicy::kResolveIntervalMs);
  arp_reply_from_rs1();
  const auto changes = settle();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].server.addr, kRs1);
  EXPECT_FALSE(changes[0].dead);
  EXPECT_FALSE(rs1_dead());
  std::set<Ipv4> chosen;
  for (std::uint16_t port = 41000; port < 41004; ++port) chosen.insert(connect(port));
  EXPECT_EQ(chosen, (std::set<Ipv4>{kRs1, kRs2}));
}

TEST_F(BalancerTest, ADeadHostNoServiceUsesIsForgotten) {
  apply(kTwoServers);
  connect(40000);
  connect(40001);
  advance(3500);
  ASSERT_TRUE(balancer.neighbours().is_failed(kRs1));
  apply(kOnlyRs2);
  settle();
  EXPECT_FALSE(balancer.neighbours().is_failed(kRs1));
  EXPECT_TRUE(balancer.neighbours().failed_hosts().empty());
  // Nobody asks for it any more (once a round already under way has run out).
  advance(4000);
  const std::size_t asked = solicits_for(kRs1);
  advance(2 * DeadHostPolicy::kResolveIntervalMs);
  EXPECT_EQ(solicits_for(kRs1), asked);
}

TEST_F(BalancerTest, AServerRemovedWhileDeadComesBackAlive) {
  apply(kTwoServers);
  connect(40000);
  connect(40001);
  advance(3500);
  ASSERT_TRUE(rs1_dead());
  apply(kOnlyRs2);
  settle();
  apply(kTwoServers);  // back: its death was forgotten with it, alive until ARP fails again
  settle();
  EXPECT_FALSE(rs1_dead());
}

// Issue 12, finding 4: the configured real servers are the neighbour table's wanted set, so a
// request for the director from any other sender creates nothing; a reload changes the set.
TEST_F(BalancerTest, OnlyConfiguredRealServersGetNeighbourEntriesFromArp) {
  apply(kTwoServers);
  auto who_has_us_from = [&](Ipv4 sender, const MacAddress& mac) {
    ArpPacket a;
    a.op = ArpOp::Request;
    a.eth_destination = kBroadcastMac;
    a.sender_mac = mac;
    a.sender_ip = sender;
    a.target_ip = kDirector;
    return balancer.receive_arp(a, kOurMac, now, events);
  };
  EXPECT_EQ(who_has_us_from(kClient, test::kMacX), ArpVerdict::Unwanted);
  EXPECT_EQ(who_has_us_from(0x0a640001, test::kMacX), ArpVerdict::Unwanted);
  EXPECT_EQ(balancer.neighbours().find(kClient), nullptr);
  EXPECT_EQ(balancer.neighbours().stats().unwanted_arp, 2u);
  EXPECT_EQ(who_has_us_from(kRs1, kMac1), ArpVerdict::Created);
  EXPECT_TRUE(balancer.neighbours().wanted(kRs1));
  EXPECT_TRUE(balancer.neighbours().wanted(kRs2));
  apply(kOnlyRs2);
  EXPECT_FALSE(balancer.neighbours().wanted(kRs1));
}

}  // namespace
}  // namespace lvs
