// The director's per-packet decision with real services, scheduler, connection table and
// neighbour table — everything but the sockets.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "balancer/packet_path.h"
#include "neigh/permanent_neighbours.h"
#include "support/config_yaml.h"
#include "support/lab_addresses.h"
#include "support/packet_builder.h"

namespace lvs {
namespace {

using test::ipv4_packet;
using test::kClient;
using test::kVip;
constexpr MacAddress kMac11 = test::kMac1;  // 10.200.0.11's

class PacketPathTest : public ::testing::Test {
 protected:
  void load(const std::string& yaml) {
    const config::DirectorConfig cfg = test::director_config(yaml);
    ASSERT_FALSE(HasFailure()) << "the configuration loads";
    services.apply(cfg);
    dispatcher.set_timeouts(cfg.director.timeouts);
    std::vector<std::string> warnings;
    neighbours.replace_permanent(permanent_neighbours(cfg, warnings), 0, events);
  }

  ServiceTable services;
  Dispatcher dispatcher;
  NeighbourTable neighbours;
  PacketPath path{services, dispatcher, neighbours};
  NeighbourEvents events;  // what resolution asked for, as the daemon collects it
};

constexpr const char* kOneServer = R"(
director: {vip-mode: external}
services:
  - tcp-service: 10.200.0.100:80
    scheduler: rr
    real-servers:
      - {real-server: 10.200.0.11:80, mac: "02:00:00:00:00:0b"}
  - udp-service: 10.200.0.100:9000
    scheduler: rr
    real-servers:
      - {real-server: 10.200.0.11:9000, mac: "02:00:00:00:00:0b"}
  - fwmark-service: 7
    scheduler: rr
    real-servers:
      - {real-server: 10.200.0.11, mac: "02:00:00:00:00:0b"}
)";

// 10.200.0.12 with no MAC configured: resolved by ARP on demand.
constexpr const char* kServerWithoutMac = R"(
director: {vip-mode: external}
services:
  - tcp-service: 10.200.0.100:80
    real-servers:
      - {real-server: 10.200.0.12:80}
)";

TEST_F(PacketPathTest, SynIsSentUnchangedToTheRealServersMac) {
  load(kOneServer);
  const auto syn = ipv4_packet(kProtoTcp, kClient, 40000, kVip, 80, {.syn = true}, /*padding=*/6);
  const PacketDecision d = path.decide(syn, 0, 1000, events);
  ASSERT_EQ(d.action, PacketAction::Send);
  ASSERT_NE(d.destination_mac, nullptr);
  EXPECT_EQ(*d.destination_mac, kMac11);
  // The IP packet itself, without the link padding, byte for byte.
  EXPECT_EQ(d.ip_packet.data(), syn.data());
  EXPECT_EQ(d.ip_packet.size(), 40u);
  EXPECT_EQ(path.counters().forwarded, 1u);
  // The connection exists: the next packet of the flow follows it.
  const auto ack = ipv4_packet(kProtoTcp, kClient, 40000, kVip, 80, {.ack = true});
  EXPECT_EQ(path.decide(ack, 0, 1001, events).action, PacketAction::Send);
  EXPECT_EQ(dispatcher.size(), 1u);
}

TEST_F(PacketPathTest, AckWithoutConnectionIsAcceptedNotScheduled) {
  load(kOneServer);
  const auto ack = ipv4_packet(kProtoTcp, kClient, 40001, kVip, 80, {.ack = true});
  EXPECT_EQ(path.decide(ack, 0, 1000, events).action, PacketAction::Accept);
  EXPECT_EQ(path.counters().accepted, 1u);
  EXPECT_EQ(dispatcher.size(), 0u);
}

TEST_F(PacketPathTest, UdpIsForwarded) {
  load(kOneServer);
  const auto dgram = ipv4_packet(kProtoUdp, kClient, 5353, kVip, 9000);
  const PacketDecision d = path.decide(dgram, 0, 1000, events);
  ASSERT_EQ(d.action, PacketAction::Send);
  EXPECT_EQ(*d.destination_mac, kMac11);
}

TEST_F(PacketPathTest, MarkedPacketsGoToTheFwmarkService) {
  load(kOneServer);
  // Port 443 has no tcp service; mark 7 does.
  const auto syn = ipv4_packet(kProtoTcp, kClient, 40002, kVip, 443, {.syn = true});
  EXPECT_EQ(path.decide(syn, 7, 1000, events).action, PacketAction::Send);
  EXPECT_EQ(
      path.decide(ipv4_packet(kProtoTcp, kClient, 40003, kVip, 443, {.syn = true}), 0, 1000, events)
          .action,
      PacketAction::Drop);
  EXPECT_EQ(path.counters().no_service, 1u);
}

TEST_F(PacketPathTest, ServerWithoutMacQueuesThePacketAndAsksArp) {
  load(kServerWithoutMac);
  const auto syn = ipv4_packet(kProtoTcp, kClient, 40000, kVip, 80, {.syn = true}, /*padding=*/6);
  EXPECT_EQ(path.decide(syn, 0, 1000, events).action, PacketAction::Drop);  // the original: NF_DROP
  EXPECT_EQ(path.counters().neighbour_queued, 1u);
  EXPECT_EQ(path.counters().neighbour_unresolved, 0u);
  ASSERT_EQ(events.size(), 1u);
  const auto* solicit = std::get_if<SolicitRequest>(&events[0]);
  ASSERT_NE(solicit, nullptr);
  EXPECT_EQ(solicit->target, 0x0ac8000cu);
  EXPECT_FALSE(solicit->unicast_to.has_value());  // broadcast while INCOMPLETE
  events.clear();

  // The reply releases the copy, without the link padding.
  ArpObservation reply;
  reply.is_reply = true;
  reply.sender_mac = {0x02, 0, 0, 0, 0, 0x0c};
  reply.sender_ip = 0x0ac8000cu;
  reply.target_ip = 0x0ac80002u;
  reply.to_us = true;
  reply.target_is_ours = true;
  neighbours.receive_arp(reply, 1010, events);
  ASSERT_EQ(events.size(), 1u);
  const auto* resolved = std::get_if<NeighbourResolved>(&events[0]);
  ASSERT_NE(resolved, nullptr);
  ASSERT_EQ(resolved->packets.size(), 1u);
  EXPECT_EQ(resolved->packets[0].size(), syn.size() - 6);
  EXPECT_EQ(
      path.decide(ipv4_packet(kProtoTcp, kClient, 40000, kVip, 80, {.ack = true}), 0, 1020, events)
          .action,
      PacketAction::Send);
}

TEST_F(PacketPathTest, ServerThatCannotBeResolvedIsDroppedAsNeighbourUnresolved) {
  load(kServerWithoutMac);
  NeighbourParams no_solicit;
  no_solicit.mcast_solicit = 0;  // nothing may ask: resolve() says Failed at once
  neighbours.set_params(no_solicit);
  const auto syn = ipv4_packet(kProtoTcp, kClient, 40000, kVip, 80, {.syn = true});
  EXPECT_EQ(path.decide(syn, 0, 1000, events).action, PacketAction::Drop);
  EXPECT_EQ(path.counters().neighbour_unresolved, 1u);
  bool found = false;
  for (const auto& [reason, count] : path.drop_reasons()) {
    if (reason == "neighbour_unresolved") {
      EXPECT_EQ(count, 1u);
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(PacketPathTest, NoUsableServerIsDroppedAsNoDestination) {
  load(R"(
director: {vip-mode: external}
services:
  - tcp-service: 10.200.0.100:80
    real-servers:
      - {real-server: 10.200.0.11:80, weight: 0, mac: "02:00:00:00:00:0b"}
)");
  const auto syn = ipv4_packet(kProtoTcp, kClient, 40000, kVip, 80, {.syn = true});
  EXPECT_EQ(path.decide(syn, 0, 1000, events).action, PacketAction::Drop);
  EXPECT_EQ(path.counters().no_destination, 1u);
}

TEST_F(PacketPathTest, MalformedPacketsAreCountedByReasonAndDropped) {
  load(kOneServer);
  const std::vector<std::uint8_t> tiny(10, 0x45);
  EXPECT_EQ(path.decide(tiny, 0, 1000, events).action, PacketAction::Drop);
  auto icmp = ipv4_packet(kProtoUdp, kClient, 1, kVip, 9000);
  icmp[9] = 1;  // ICMP
  EXPECT_EQ(path.decide(icmp, 0, 1000, events).action, PacketAction::Drop);
  EXPECT_EQ(path.counters().parse_errors[static_cast<std::size_t>(ParseError::Truncated)], 1u);
  EXPECT_EQ(path.counters().parse_errors[static_cast<std::size_t>(ParseError::UnsupportedProtocol)],
            1u);
  EXPECT_EQ(path.counters().packets, 2u);
  EXPECT_EQ(path.counters().forwarded, 0u);
}

}  // namespace
}  // namespace lvs
