// The snapshot lvsadm reads, built from a real ServiceTable loaded from a config and a real
// Dispatcher fed a few packets: services in table order with their settings, destinations in
// the kernel's list order with counters and rates, connections with state names and time left,
// the timeouts, and what is left out (deleted services and destinations, fwmark templates).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <variant>

#include "balancer/state_snapshot.h"
#include "ctl/control_protocol.h"
#include "ctl/ipvsadm_format.h"
#include "model/rate_estimator.h"
#include "service/rate_sampler.h"
#include "support/config_yaml.h"
#include "support/lab_addresses.h"
#include "support/snapshot_backend.h"

namespace lvs {
namespace {

using test::kClient;
using test::kVip;
constexpr Ipv4 kRs11 = test::kRs1;
constexpr Ipv4 kRs12 = test::kRs2;

constexpr TcpFlags kSyn{.syn = true};
constexpr TcpFlags kAck{.ack = true};

constexpr const char* kConfig = R"(
director:
  vip-mode: external
  timeouts: {tcp: 600, tcpfin: 90, udp: 200}
services:
  - tcp-service: 10.200.0.100:80
    scheduler: rr
    real-servers:
      - real-server: 10.200.0.11:80
        weight: 3
        u-threshold: 100
        l-threshold: 50
      - real-server: 10.200.0.12:80
        weight: 2
  - udp-service: 10.200.0.100:53
    scheduler: sh
    scheduler-flags: [sh-fallback, sh-port]
    persistent: 300
    netmask: 255.255.255.0
    real-servers:
      - real-server: 10.200.0.13:53
  - fwmark-service: 7
    scheduler: wlc
    persistent: 60
    real-servers:
      - real-server: 10.200.0.11
)";

class StateSnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = test::director_config(kConfig);
    services.apply(config_);
    dispatcher.set_timeouts(config_.director.timeouts);
    ASSERT_EQ(services.services().size(), 3u);
    tcp = services.services()[0].get();
    udp = services.services()[1].get();
    fwm = services.services()[2].get();
  }

  DispatchResult send(VirtualService& svc, std::uint8_t proto, std::uint16_t sport,
                      std::uint16_t dport, TcpFlags flags, std::uint32_t bytes, TimeMs now) {
    return dispatcher.dispatch(svc, {proto, kClient, sport, kVip, dport}, flags, bytes, now);
  }

  config::DirectorConfig config_;
  ServiceTable services;
  Dispatcher dispatcher{16, IpvsSysctls{}, 0};
  VirtualService* tcp = nullptr;
  VirtualService* udp = nullptr;
  VirtualService* fwm = nullptr;
};

TEST_F(StateSnapshotTest, ServicesAndDestinationsAsConfigured) {
  const ctl::Snapshot snap = build_state_snapshot(services, dispatcher, 0, false);
  EXPECT_EQ(snap.timeouts, (ctl::Timeouts{600, 90, 200}));
  EXPECT_EQ(snap.version, "1.2.1");
  ASSERT_EQ(snap.services.size(), 3u);
  EXPECT_TRUE(snap.connections.empty());

  const ctl::ServiceSnapshot& t = snap.services[0];
  EXPECT_EQ(t.key.to_string(), "tcp/10.200.0.100:80");
  EXPECT_EQ(t.scheduler, "rr");
  EXPECT_FALSE(t.persistent);
  EXPECT_EQ(t.netmask, 0xffffffffu);
  EXPECT_FALSE(t.sched_fallback);
  ASSERT_EQ(t.destinations.size(), 2u);
  // The kernel's list order: the last server added (-a) is the head.
  EXPECT_EQ(format_endpoint(t.destinations[0].address), "10.200.0.12:80");
  EXPECT_EQ(t.destinations[0].weight, 2);
  EXPECT_EQ(format_endpoint(t.destinations[1].address), "10.200.0.11:80");
  EXPECT_EQ(t.destinations[1].weight, 3);
  EXPECT_EQ(t.destinations[1].u_threshold, 100u);
  EXPECT_EQ(t.destinations[1].l_threshold, 50u);
  EXPECT_EQ(t.destinations[1].forwarding, "Route");

  const ctl::ServiceSnapshot& u = snap.services[1];
  EXPECT_EQ(u.key.to_string(), "udp/10.200.0.100:53");
  EXPECT_EQ(u.scheduler, "sh");
  EXPECT_TRUE(u.persistent);
  EXPECT_EQ(u.persistent_timeout_s, 300u);
  EXPECT_EQ(u.netmask, 0xffffff00u);
  EXPECT_TRUE(u.sched_fallback);
  EXPECT_TRUE(u.sched_port);
  EXPECT_FALSE(u.one_packet);

  const ctl::ServiceSnapshot& f = snap.services[2];
  EXPECT_EQ(f.key.to_string(), "fwm/7");
  EXPECT_EQ(f.scheduler, "wlc");
  EXPECT_EQ(f.persistent_timeout_s, 60u);
  ASSERT_EQ(f.destinations.size(), 1u);
  EXPECT_EQ(format_endpoint(f.destinations[0].address), "10.200.0.11:0");
}

TEST_F(StateSnapshotTest, CountersStatesAndTimeLeft) {
  // Two TCP connections (one established, one half open), one persistent UDP flow, one
  // connection of the persistent fwmark service.
  const DispatchResult c1 = send(*tcp, kProtoTcp, 40001, 80, kSyn, 60, 0);
  send(*tcp, kProtoTcp, 40001, 80, kAck, 52, 1000);
  const DispatchResult c2 = send(*tcp, kProtoTcp, 40002, 80, kSyn, 60, 2000);
  ASSERT_EQ(c1.verdict, Verdict::Forward);
  ASSERT_EQ(c2.verdict, Verdict::Forward);
  ASSERT_NE(c1.destination, c2.destination) << "rr alternates";
  ASSERT_EQ(send(*udp, kProtoUdp, 5353, 53, {}, 40, 3000).verdict, Verdict::Forward);
  ASSERT_EQ(send(*fwm, kProtoTcp, 40003, 443, kSyn, 60, 4000).verdict, Verdict::Forward);

  const ctl::Snapshot snap = build_state_snapshot(services, dispatcher, 10'000, true);
  const ctl::ServiceSnapshot& t = snap.services[0];
  EXPECT_EQ(t.stats, (TrafficStats{2, 3, 0, 172, 0}));
  const auto& first = t.destinations[c1.destination->address == t.destinations[0].address ? 0 : 1];
  const auto& second = t.destinations[c2.destination->address == t.destinations[0].address ? 0 : 1];
  EXPECT_EQ(first.stats, (TrafficStats{1, 2, 0, 112, 0}));
  EXPECT_EQ(second.stats, (TrafficStats{1, 1, 0, 60, 0}));
  // ESTABLISHED and SYN_RECV both count as active in mainline.
  EXPECT_EQ(first.active_conns, 1u);
  EXPECT_EQ(second.active_conns, 1u);
  EXPECT_EQ(first.inactive_conns + second.inactive_conns, 0u);

  const ctl::ServiceSnapshot& u = snap.services[1];
  EXPECT_EQ(u.stats, (TrafficStats{1, 1, 0, 40, 0}));
  EXPECT_EQ(u.destinations[0].inactive_conns, 1u);
  EXPECT_EQ(u.destinations[0].persistent_conns, 1u);  // the template
  EXPECT_EQ(snap.services[2].destinations[0].persistent_conns, 1u);

  // Table order is arena order: insertion order here (nothing was freed).
  ASSERT_EQ(snap.connections.size(), 5u) << "the fwmark template (protocol IP) is left out";
  auto find = [&](const std::string& client,
                  const std::string& vip) -> const ctl::ConnectionSnapshot* {
    for (const auto& c : snap.connections) {
      if (format_endpoint(c.client) == client && format_endpoint(c.vip) == vip) return &c;
    }
    return nullptr;
  };
  const auto* e1 = find("10.200.0.10:40001", "10.200.0.100:80");
  ASSERT_NE(e1, nullptr);
  EXPECT_EQ(e1->protocol, ctl::ConnProtocol::tcp);
  EXPECT_EQ(e1->state, "ESTABLISHED");
  EXPECT_EQ(e1->destination, c1.destination->address);
  EXPECT_EQ(e1->expires_ms, 1000u + 600'000u - 10'000u);  // --set tcp 600 from the ACK at 1 s

  const auto* e2 = find("10.200.0.10:40002", "10.200.0.100:80");
  ASSERT_NE(e2, nullptr);
  EXPECT_EQ(e2->state, "SYN_RECV");
  EXPECT_EQ(e2->expires_ms, 2000u + 60'000u - 10'000u);

  const auto* flow = find("10.200.0.10:5353", "10.200.0.100:53");
  ASSERT_NE(flow, nullptr);
  EXPECT_EQ(flow->protocol, ctl::ConnProtocol::udp);
  EXPECT_EQ(flow->state, "UDP");
  EXPECT_EQ(format_endpoint(flow->destination), "10.200.0.13:53");
  EXPECT_EQ(flow->expires_ms, 3000u + 200'000u - 10'000u);

  // The UDP template: client network (netmask /24), port 0, state NONE, the persistence timeout.
  const auto* tmpl = find("10.200.0.0:0", "10.200.0.100:53");
  ASSERT_NE(tmpl, nullptr);
  EXPECT_EQ(tmpl->state, "NONE");
  EXPECT_EQ(tmpl->expires_ms, 3000u + 300'000u - 10'000u);

  const auto* marked = find("10.200.0.10:40003", "10.200.0.100:443");
  ASSERT_NE(marked, nullptr);
  EXPECT_EQ(format_endpoint(marked->destination), "10.200.0.11:0");

  // Past its deadline but not yet expired by the timer: 0 left.
  const ctl::Snapshot late = build_state_snapshot(services, dispatcher, 100'000, true);
  EXPECT_EQ(std::count_if(late.connections.begin(), late.connections.end(),
                          [](const auto& c) { return c.state == "SYN_RECV" && c.expires_ms == 0; }),
            2);
}

TEST_F(StateSnapshotTest, RatesComeFromTheEstimators) {
  RateSampler sampler(0);
  Destination* d = tcp->destinations()[0];
  d->stats.conns = 2000;
  d->stats.inbytes = 3'000'000;
  tcp->stats.conns = 2000;
  sampler.sample(services, 2000);
  const ctl::Snapshot snap = build_state_snapshot(services, dispatcher, 2000, false);
  EXPECT_EQ(snap.services[0].rates, (EstimatedRates{250, 0, 0, 0, 0}));
  EXPECT_EQ(snap.services[0].destinations[0].rates, (EstimatedRates{250, 0, 0, 375000, 0}));
  EXPECT_EQ(snap.services[0].destinations[1].rates, EstimatedRates{});
}

TEST_F(StateSnapshotTest, DeletedServicesAndDestinationsAreNotListed) {
  // A UDP flow keeps the UDP service alive in the graveyard; a TCP connection keeps .12 in the
  // trash.
  ASSERT_EQ(send(*udp, kProtoUdp, 5353, 53, {}, 40, 0).verdict, Verdict::Forward);
  const DispatchResult c = send(*tcp, kProtoTcp, 40001, 80, kSyn, 60, 0);
  ASSERT_EQ(c.verdict, Verdict::Forward);
  const Endpoint gone = c.destination->address;
  const Endpoint kept = gone.addr == kRs11 ? Endpoint{kRs12, 80} : Endpoint{kRs11, 80};
  services.apply(test::director_config(R"(
director: {vip-mode: external}
services:
  - tcp-service: 10.200.0.100:80
    scheduler: rr
    real-servers:
      - real-server: )" + format_endpoint(kept) +
                                       R"(
  - fwmark-service: 7
    scheduler: wlc
    persistent: 60
    real-servers:
      - real-server: 10.200.0.11
)"));
  ASSERT_EQ(services.graveyard_size(), 1u);

  const ctl::Snapshot snap = build_state_snapshot(services, dispatcher, 1000, true);
  ASSERT_EQ(snap.services.size(), 2u);
  EXPECT_EQ(snap.services[0].key.to_string(), "tcp/10.200.0.100:80");
  EXPECT_EQ(snap.services[1].key.to_string(), "fwm/7");
  ASSERT_EQ(snap.services[0].destinations.size(), 1u);
  EXPECT_EQ(snap.services[0].destinations[0].address, kept);
  // Their connections are still in the table, as ipvsadm -Lnc would show them.
  EXPECT_EQ(snap.connections.size(), 3u);  // TCP, UDP flow, UDP template
}

TEST_F(StateSnapshotTest, TheControlProtocolCarriesItUnchanged) {
  send(*tcp, kProtoTcp, 40001, 80, kSyn, 60, 0);
  send(*udp, kProtoUdp, 5353, 53, {}, 40, 0);
  const ctl::Snapshot list = build_state_snapshot(services, dispatcher, 500, false);
  auto decoded = ctl::decode_response(test::serve(ctl::encode_request({ctl::Command::list}), list));
  ASSERT_TRUE(std::holds_alternative<ctl::Snapshot>(decoded));
  EXPECT_EQ(std::get<ctl::Snapshot>(decoded), list);

  const ctl::Snapshot conns = build_state_snapshot(services, dispatcher, 500, true);
  decoded = ctl::decode_response(
      test::serve(ctl::encode_request({ctl::Command::list_connections}), conns));
  ASSERT_TRUE(std::holds_alternative<ctl::Snapshot>(decoded));
  EXPECT_EQ(std::get<ctl::Snapshot>(decoded).connections, conns.connections);

  // And ipvsadm's layout reads it: the UDP service's flags and persistence.
  const std::string text = ctl::format_listing(list, {});
  EXPECT_NE(text.find("UDP  10.200.0.100:53 sh (sh-fallback,sh-port) persistent 300 mask "
                      "255.255.255.0"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace lvs
