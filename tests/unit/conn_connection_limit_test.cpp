// The connection limit (Dispatcher::set_connection_limit(), conn/connection_limit.h): at the
// limit a new connection is dropped and counted before the scheduler moves, established ones keep
// flowing, persistence needs room for the template and its connection (or just the connection),
// lowering the limit removes nothing, expiry makes room again; the memory-derived default.
#include <gtest/gtest.h>

#include <memory>

#include "conn/connection_limit.h"
#include "conn/dispatcher.h"
#include "support/test_schedulers.h"

namespace lvs {
namespace {

using testing::Cycle;

constexpr Ipv4 kVip = 0x0ac80064;  // 10.200.0.100
constexpr Endpoint kA{0x0ac8000b, 80};
constexpr Endpoint kB{0x0ac8000c, 80};
constexpr TcpFlags kSyn{.syn = true};
constexpr TcpFlags kAck{.ack = true};

PacketInfo tcp(Ipv4 client, std::uint16_t sport) { return {kProtoTcp, client, sport, kVip, 80}; }
PacketInfo udp(Ipv4 client, std::uint16_t sport) { return {kProtoUdp, client, sport, kVip, 80}; }

struct Fixture {
  explicit Fixture(std::uint32_t persistence_s = 0)
      : svc({config::ServiceProtocol::Tcp, {kVip, 80}, 0}, std::make_unique<Cycle>(), {}),
        usvc({config::ServiceProtocol::Udp, {kVip, 80}, 0}, std::make_unique<Cycle>(), {}) {
    if (persistence_s != 0) svc.set_persistence(persistence_s, 0xffffffffu);
    a = svc.add_destination(kA, {});
    b = svc.add_destination(kB, {});  // list: B, A -> Cycle picks B first
    usvc.add_destination(kA, {});
  }
  VirtualService svc;
  VirtualService usvc;
  Destination* a = nullptr;
  Destination* b = nullptr;
  Dispatcher disp;
};

TEST(ConnectionLimit, NewConnectionsAreDroppedAtTheLimitEstablishedOnesFlow) {
  Fixture f;
  f.disp.set_connection_limit(3);
  for (std::uint16_t port = 1; port <= 3; ++port) {  // established: never evicted
    ASSERT_EQ(f.disp.dispatch(f.svc, tcp(0x0a000001, port), kSyn, 60, 0).verdict, Verdict::Forward);
    f.disp.dispatch(f.svc, tcp(0x0a000001, port), kAck, 52, 0);
  }
  EXPECT_EQ(f.disp.size(), 3u);
  // The fourth SYN: refused, counted, flagged, nothing created, nothing counted on a server.
  const DispatchResult r = f.disp.dispatch(f.svc, tcp(0x0a000002, 1), kSyn, 60, 10);
  EXPECT_EQ(r.verdict, Verdict::Drop);
  EXPECT_TRUE(r.over_limit);
  EXPECT_FALSE(r.connection.valid());
  EXPECT_EQ(f.disp.size(), 3u);
  EXPECT_EQ(f.disp.limit_drops_total(), 1u);
  EXPECT_EQ(f.a->stats.conns + f.b->stats.conns, 3u);
  // UDP too: any new flow needs an entry.
  EXPECT_TRUE(f.disp.dispatch(f.usvc, udp(0x0a000003, 5), {}, 28, 10).over_limit);
  EXPECT_EQ(f.disp.limit_drops_total(), 2u);
  // Established connections are found before the limit is asked: untouched.
  for (std::uint16_t port = 1; port <= 3; ++port) {
    const DispatchResult e = f.disp.dispatch(f.svc, tcp(0x0a000001, port), kAck, 52, 20);
    EXPECT_EQ(e.verdict, Verdict::Forward) << port;
    EXPECT_FALSE(e.over_limit);
  }
  EXPECT_EQ(f.disp.limit_drops_total(), 2u);
}

TEST(ConnectionLimit, TheSchedulerDoesNotMoveForARefusedConnection) {
  Fixture f;
  f.disp.set_connection_limit(1);
  EXPECT_EQ(f.disp.dispatch(f.svc, tcp(0x0a000001, 1), kSyn, 60, 0).destination, f.b);
  f.disp.dispatch(f.svc, tcp(0x0a000001, 1), kAck, 52, 0);  // established: nothing to evict
  for (std::uint16_t port = 2; port < 10; ++port) {
    EXPECT_TRUE(f.disp.dispatch(f.svc, tcp(0x0a000001, port), kSyn, 60, 0).over_limit);
  }
  // Room again: the cycle continues where it was (A after B), as if the refusals never happened.
  f.disp.set_connection_limit(2);
  EXPECT_EQ(f.disp.dispatch(f.svc, tcp(0x0a000001, 30), kSyn, 60, 0).destination, f.a);
}

TEST(ConnectionLimit, NoLimitAndExpiryMakingRoom) {
  Fixture f;
  for (std::uint16_t port = 1001; port <= 1100; ++port) {  // (port 20 would be FTP data)
    EXPECT_EQ(f.disp.dispatch(f.svc, tcp(0x0a000001, port), kSyn, 60, 0).verdict, Verdict::Forward);
  }
  EXPECT_EQ(f.disp.connection_limit(), 0u);  // 0: no limit
  // Lowering below the size removes nothing; new connections wait for expiry.
  f.disp.set_connection_limit(50);
  EXPECT_EQ(f.disp.size(), 100u);
  EXPECT_TRUE(f.disp.dispatch(f.svc, tcp(0x0a000002, 1), kSyn, 60, 0).over_limit);
  f.disp.expire(60'000);  // SYN_RECV: 60 s
  EXPECT_EQ(f.disp.size(), 0u);
  EXPECT_EQ(f.disp.dispatch(f.svc, tcp(0x0a000002, 1), kSyn, 60, 60'000).verdict, Verdict::Forward);
}

TEST(ConnectionLimit, PersistenceNeedsRoomForTemplateAndConnection) {
  Fixture f(300);
  f.disp.set_connection_limit(3);
  // Client 1: template + connection (2 records).
  ASSERT_EQ(f.disp.dispatch(f.svc, tcp(0x0a000001, 1), kSyn, 60, 0).verdict, Verdict::Forward);
  f.disp.dispatch(f.svc, tcp(0x0a000001, 1), kAck, 52, 0);  // established: nothing to evict
  EXPECT_EQ(f.disp.size(), 2u);
  // Client 2 needs 2 more, only 1 left: refused, no template left behind.
  EXPECT_TRUE(f.disp.dispatch(f.svc, tcp(0x0a000002, 1), kSyn, 60, 0).over_limit);
  EXPECT_EQ(f.disp.templates(), 1u);
  // Client 1's second connection needs only itself: accepted, to its template's server.
  const DispatchResult r = f.disp.dispatch(f.svc, tcp(0x0a000001, 2), kSyn, 60, 0);
  EXPECT_EQ(r.verdict, Verdict::Forward);
  EXPECT_EQ(r.destination, f.b);
  f.disp.dispatch(f.svc, tcp(0x0a000001, 2), kAck, 52, 0);
  EXPECT_EQ(f.disp.size(), 3u);
  // Full: client 1's third is refused too.
  EXPECT_TRUE(f.disp.dispatch(f.svc, tcp(0x0a000001, 3), kSyn, 60, 0).over_limit);
  EXPECT_EQ(f.disp.limit_drops_total(), 2u);
}

TEST(ConnectionLimit, DefaultIsASixteenthOfMemoryAt64BytesPerEntryWithinBounds) {
  constexpr std::uint64_t kGiB = 1ull << 30;
  EXPECT_EQ(default_connection_limit(0), kConnectionLimitFloor);
  EXPECT_EQ(default_connection_limit(64ull << 20), kConnectionLimitFloor);  // 65536 -> the floor
  EXPECT_EQ(default_connection_limit(256ull << 20), 262144u);
  EXPECT_EQ(default_connection_limit(1 * kGiB), 1048576u);
  EXPECT_EQ(default_connection_limit(8 * kGiB), 8388608u);
  EXPECT_EQ(default_connection_limit(16 * kGiB), kConnectionLimitCeiling);
  EXPECT_EQ(default_connection_limit(1024 * kGiB), kConnectionLimitCeiling);
  EXPECT_EQ(effective_connection_limit(5000, 8 * kGiB), 5000u);
  EXPECT_EQ(effective_connection_limit(0, 8 * kGiB), 8388608u);
}

TEST(ConnectionLimit, MemoryBoundCoversAFullTable) {
  // Fill a table to the limit and compare what it holds with the bound the lab test uses.
  Fixture f;
  constexpr std::size_t kLimit = 70'000;  // two chunks
  f.disp.set_connection_limit(kLimit);
  for (std::uint32_t i = 0; i < kLimit + 10; ++i) {
    f.disp.dispatch(f.svc, tcp(0x0b000000 + i, 1000), kSyn, 60, 0);
  }
  EXPECT_EQ(f.disp.size(), kLimit);
  EXPECT_EQ(f.disp.evictions_total(), 10u);  // half-open: the last 10 replaced 10 others
  EXPECT_LE(f.disp.table().memory_bytes(), connection_table_bytes_bound(kLimit));
  EXPECT_GE(f.disp.table().memory_bytes(), kLimit * ConnectionTable::kRecordBytes);
}

}  // namespace
}  // namespace lvs

namespace lvs {
namespace {

// drop_entry: at the limit a new connection replaces a half-open (SYN_RECV) one; established
// ones and templates are never chosen; with none to replace, the packet is dropped.
TEST(ConnectionLimit, HalfOpenConnectionsMakeWayEstablishedOnesDoNot) {
  Fixture f;
  f.disp.set_connection_limit(4);
  // Two established (SYN, ACK), two half-open (SYN only).
  for (std::uint16_t port = 1; port <= 2; ++port) {
    f.disp.dispatch(f.svc, tcp(0x0a000001, port), kSyn, 60, 0);
    f.disp.dispatch(f.svc, tcp(0x0a000001, port), kAck, 52, 0);
  }
  const ConnHandle half1 = f.disp.dispatch(f.svc, tcp(0x0a000009, 1), kSyn, 60, 0).connection;
  const ConnHandle half2 = f.disp.dispatch(f.svc, tcp(0x0a000009, 2), kSyn, 60, 0).connection;
  ASSERT_EQ(f.disp.size(), 4u);
  // A new client: one half-open entry goes, the new one is in.
  DispatchResult r = f.disp.dispatch(f.svc, tcp(0x0a000002, 1), kSyn, 60, 10);
  EXPECT_EQ(r.verdict, Verdict::Forward);
  EXPECT_EQ(f.disp.evictions_total(), 1u);
  EXPECT_EQ(f.disp.size(), 4u);
  EXPECT_NE(f.disp.table().alive(half1), f.disp.table().alive(half2)) << "exactly one went";
  // Complete every half-open handshake: nothing is left to replace, the next one is dropped.
  f.disp.dispatch(f.svc, tcp(0x0a000002, 1), kAck, 52, 10);
  const std::uint16_t left = f.disp.table().alive(half1) ? 1 : 2;
  f.disp.dispatch(f.svc, tcp(0x0a000009, left), kAck, 52, 10);
  r = f.disp.dispatch(f.svc, tcp(0x0a000003, 1), kSyn, 60, 20);
  EXPECT_TRUE(r.over_limit);
  EXPECT_EQ(f.disp.evictions_total(), 1u);
  EXPECT_EQ(f.disp.limit_drops_total(), 1u);
  // The established flows all still flow.
  for (std::uint16_t port = 1; port <= 2; ++port) {
    EXPECT_EQ(f.disp.dispatch(f.svc, tcp(0x0a000001, port), kAck, 52, 30).verdict,
              Verdict::Forward);
  }
}

TEST(ConnectionLimit, ASynFloodAtTheLimitStillAdmitsANewClient) {
  Fixture f;
  f.disp.set_connection_limit(1000);
  for (std::uint32_t i = 0; i < 50'000; ++i) {  // spoofed sources, never an ACK
    f.disp.dispatch(f.svc, tcp(0x0b000000 + i, 1000), kSyn, 60, i / 100);
  }
  EXPECT_EQ(f.disp.size(), 1000u);
  EXPECT_EQ(f.disp.evictions_total(), 49'000u);
  EXPECT_EQ(f.disp.limit_drops_total(), 0u);
  // A real client during the flood: its SYN gets in, its ACK finds the connection.
  const DispatchResult syn = f.disp.dispatch(f.svc, tcp(0x0a000001, 4000), kSyn, 60, 500);
  ASSERT_EQ(syn.verdict, Verdict::Forward);
  const DispatchResult ack = f.disp.dispatch(f.svc, tcp(0x0a000001, 4000), kAck, 52, 501);
  EXPECT_EQ(ack.verdict, Verdict::Forward);
  EXPECT_FALSE(ack.created);
  EXPECT_EQ(f.disp.table().state(ack.connection), ConnState::Established);
  // UDP flows are never evicted: UDP at the limit with a table full of UDP is dropped.
  Fixture u;
  u.disp.set_connection_limit(10);
  for (std::uint16_t p = 1; p <= 11; ++p) u.disp.dispatch(u.usvc, udp(0x0a000001, p), {}, 28, 0);
  EXPECT_EQ(u.disp.size(), 10u);
  EXPECT_EQ(u.disp.limit_drops_total(), 1u);
  EXPECT_EQ(u.disp.evictions_total(), 0u);
}

}  // namespace
}  // namespace lvs
