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

namespace lvs {
namespace {

// A UDP datagram to the VIP of `total` bytes (IP total length), DF as given.
std::vector<std::uint8_t> big_udp(std::uint16_t sport, std::size_t total, bool df) {
  const auto head = ipv4_packet(kProtoUdp, kClient, sport, kVip, 9000);
  std::vector<std::uint8_t> p(total, 0x5a);
  std::copy(head.begin(), head.end(), p.begin());
  p[2] = static_cast<std::uint8_t>(total >> 8);
  p[3] = static_cast<std::uint8_t>(total);
  p[6] = df ? 0x40 : 0;
  const std::size_t udp = total - 20;
  p[24] = static_cast<std::uint8_t>(udp >> 8);
  p[25] = static_cast<std::uint8_t>(udp);
  return p;
}

// ensure_mtu_is_adequate(): above the MTU with DF -> ICMP asked, nothing scheduled; without DF ->
// sent (the Forwarder fragments it); at the MTU or with no MTU known -> sent.
TEST_F(PacketPathTest, OversizeWithDfAsksForIcmpAndCreatesNoConnection) {
  load(kOneServer);
  path.set_link_mtu(1500);
  const auto df = big_udp(5000, 3000, true);
  const PacketDecision d = path.decide(df, 0, 1000, events);
  ASSERT_EQ(d.action, PacketAction::FragmentationNeeded);
  EXPECT_EQ(d.mtu, 1500);
  EXPECT_EQ(d.ip_packet.data(), df.data());
  EXPECT_EQ(d.ip_packet.size(), 3000u);
  EXPECT_EQ(dispatcher.size(), 0u) << "no connection for a packet that is never sent";
  EXPECT_EQ(path.counters().fragmentation_needed, 1u);
  EXPECT_EQ(path.counters().forwarded, 0u);
  for (const auto& [reason, count] : path.drop_reasons()) {
    if (reason == "fragmentation_needed") {
      EXPECT_EQ(count, 1u);
    }
  }

  // The same size without DF: sent whole to the Forwarder, a connection made.
  const PacketDecision sent = path.decide(big_udp(5001, 3000, false), 0, 1000, events);
  EXPECT_EQ(sent.action, PacketAction::Send);
  EXPECT_EQ(sent.ip_packet.size(), 3000u);
  EXPECT_EQ(dispatcher.size(), 1u);
  // DF at exactly the MTU: fits.
  EXPECT_EQ(path.decide(big_udp(5002, 1500, true), 0, 1000, events).action, PacketAction::Send);
  // An existing flow's oversize DF packet is refused too, and its entry is left as it was.
  EXPECT_EQ(path.decide(big_udp(5001, 3000, true), 0, 1000, events).action,
            PacketAction::FragmentationNeeded);
  EXPECT_EQ(dispatcher.size(), 2u);
  // MTU unknown (0): nothing is refused for its size.
  path.set_link_mtu(0);
  EXPECT_EQ(path.decide(big_udp(5003, 3000, true), 0, 1000, events).action, PacketAction::Send);
}

TEST_F(PacketPathTest, IcmpErrorsAreRateLimited) {
  load(kOneServer);
  path.set_link_mtu(1500);
  const auto df = big_udp(5000, 3000, true);
  int asked = 0;
  for (int i = 0; i < 200; ++i) {
    asked += path.decide(df, 0, 1000, events).action == PacketAction::FragmentationNeeded;
  }
  EXPECT_EQ(asked, 50);  // icmp_msgs_burst
  EXPECT_EQ(path.counters().fragmentation_needed, 200u);
  EXPECT_EQ(path.counters().icmp_rate_limited, 150u);
  EXPECT_EQ(path.decide(df, 0, 1010, events).action, PacketAction::FragmentationNeeded);
}

TEST_F(PacketPathTest, ConnectionLimitIsItsOwnDropReason) {
  load(kOneServer);
  dispatcher.set_connection_limit(1);
  EXPECT_EQ(path.decide(big_udp(6000, 100, false), 0, 1000, events).action, PacketAction::Send);
  EXPECT_EQ(path.decide(big_udp(6001, 100, false), 0, 1000, events).action, PacketAction::Drop);
  EXPECT_EQ(path.counters().connection_limit, 1u);
  EXPECT_EQ(path.counters().no_destination, 0u);
  // The established flow goes on.
  EXPECT_EQ(path.decide(big_udp(6000, 100, false), 0, 1001, events).action, PacketAction::Send);
}

}  // namespace
}  // namespace lvs
