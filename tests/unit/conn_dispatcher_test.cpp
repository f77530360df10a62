// Dispatcher (ip_vs_in()): scheduling rules, the SYN -> ESTABLISHED -> FIN life of a DR
// connection with its counters, per-state timeouts and --set, re-arming, connection reuse,
// deleted servers, overload, statistics. Expected values are worked out from mainline
// ip_vs_core.c / ip_vs_proto_tcp.c by hand.
#include <gtest/gtest.h>

#include <memory>

#include "conn/dispatcher.h"
#include "support/test_schedulers.h"

namespace lvs {
namespace {

using testing::Cycle;
using testing::FirstUsable;

constexpr Ipv4 kVip = 0x0ac80064;     // 10.200.0.100
constexpr Ipv4 kClient = 0x0ac8000a;  // 10.200.0.10
constexpr Endpoint kA{0x0ac8000b, 80};
constexpr Endpoint kB{0x0ac8000c, 80};

config::ServiceKey tcp_service() { return {config::ServiceProtocol::Tcp, {kVip, 80}, 0}; }

PacketInfo tcp(std::uint16_t sport, Ipv4 saddr = kClient) {
  return {kProtoTcp, saddr, sport, kVip, 80};
}

constexpr TcpFlags kSyn{.syn = true};
constexpr TcpFlags kAck{.ack = true};
constexpr TcpFlags kFin{.ack = true, .fin = true};
constexpr TcpFlags kRst{.rst = true};

// The timer runs to 1 ms before `deadline` (the connection still there), then to `deadline`
// (gone).
void expect_expires_at(Dispatcher& disp, ConnHandle c, TimeMs deadline) {
  disp.expire(deadline - 1);
  EXPECT_TRUE(disp.table().alive(c)) << "at " << deadline - 1;
  disp.expire(deadline);
  EXPECT_FALSE(disp.table().alive(c)) << "at " << deadline;
}

TEST(ConnDispatcher, TcpLifeAndCounters) {
  VirtualService svc(tcp_service(), std::make_unique<FirstUsable>(), {});
  Destination* a = svc.add_destination(kA, {});
  Dispatcher disp;

  DispatchResult r = disp.dispatch(svc, tcp(40000), kSyn, 60, 0);
  ASSERT_EQ(r.verdict, Verdict::Forward);
  EXPECT_EQ(r.destination, a);
  EXPECT_TRUE(r.created);
  const ConnHandle c = r.connection;
  EXPECT_EQ(disp.table().state(c), ConnState::SynRecv);
  // Created inactive, then SYN_RECV counts as active in mainline (tcp_state_active_table).
  EXPECT_EQ(a->activeconns, 1u);
  EXPECT_EQ(a->inactconns, 0u);
  EXPECT_EQ(disp.table().expires_ms(c), 60'000u);

  r = disp.dispatch(svc, tcp(40000), kAck, 52, 1000);
  EXPECT_FALSE(r.created);
  EXPECT_EQ(r.connection, c);
  EXPECT_EQ(disp.table().state(c), ConnState::Established);
  EXPECT_EQ(a->activeconns, 1u);
  EXPECT_EQ(disp.table().expires_ms(c), 901'000u);

  r = disp.dispatch(svc, tcp(40000), kFin, 52, 2000);
  EXPECT_EQ(disp.table().state(c), ConnState::FinWait);
  EXPECT_EQ(a->activeconns, 0u);
  EXPECT_EQ(a->inactconns, 1u);

  disp.expire(121'999);
  EXPECT_EQ(disp.size(), 1u);
  disp.expire(122'000);
  EXPECT_EQ(disp.size(), 0u);
  EXPECT_EQ(a->inactconns, 0u);
  EXPECT_EQ(a->refcnt, 0u);

  EXPECT_EQ(a->stats.conns, 1u);
  EXPECT_EQ(a->stats.inpkts, 3u);
  EXPECT_EQ(a->stats.inbytes, 164u);
  EXPECT_EQ(svc.stats.conns, 1u);
  EXPECT_EQ(svc.stats.inpkts, 3u);
  EXPECT_EQ(svc.stats.inbytes, 164u);
}

TEST(ConnDispatcher, OnlySynWithoutRstSchedulesTcp) {
  VirtualService svc(tcp_service(), std::make_unique<FirstUsable>(), {});
  svc.add_destination(kA, {});
  Dispatcher disp;
  EXPECT_EQ(disp.dispatch(svc, tcp(1), kAck, 40, 0).verdict, Verdict::Pass);
  EXPECT_EQ(disp.dispatch(svc, tcp(1), kFin, 40, 0).verdict, Verdict::Pass);
  EXPECT_EQ(disp.dispatch(svc, tcp(1), {.syn = true, .rst = true}, 40, 0).verdict, Verdict::Pass);
  EXPECT_EQ(disp.size(), 0u);
  EXPECT_EQ(disp.unscheduled_total(), 3u);

  // sloppy_tcp: anything but RST schedules; ACK from NONE is ESTABLISHED in mainline.
  disp.set_sysctls({.sloppy_tcp = true});
  const DispatchResult r = disp.dispatch(svc, tcp(1), kAck, 40, 0);
  EXPECT_EQ(r.verdict, Verdict::Forward);
  EXPECT_EQ(disp.table().state(r.connection), ConnState::Established);
}

TEST(ConnDispatcher, UdpSchedulesAnyPacketAndStaysInactive) {
  VirtualService svc({config::ServiceProtocol::Udp, {kVip, 53}, 0}, std::make_unique<FirstUsable>(),
                     {});
  Destination* a = svc.add_destination({kA.addr, 53}, {});
  Dispatcher disp;
  const PacketInfo p{kProtoUdp, kClient, 5353, kVip, 53};
  DispatchResult r = disp.dispatch(svc, p, {}, 80, 0);
  ASSERT_EQ(r.verdict, Verdict::Forward);
  EXPECT_EQ(disp.table().state(r.connection), ConnState::Udp);
  EXPECT_EQ(a->inactconns, 1u);
  EXPECT_EQ(a->activeconns, 0u);
  EXPECT_EQ(disp.table().expires_ms(r.connection), 300'000u);
  r = disp.dispatch(svc, p, {}, 80, 100'000);
  EXPECT_FALSE(r.created);
  disp.expire(399'999);
  EXPECT_EQ(disp.size(), 1u);
  disp.expire(400'000);
  EXPECT_EQ(disp.size(), 0u);
}

TEST(ConnDispatcher, TimeoutsPerStateWithSetOverrides) {
  VirtualService svc(tcp_service(), std::make_unique<FirstUsable>(), {});
  svc.add_destination(kA, {});
  Dispatcher disp;
  disp.set_timeouts({.tcp = 100, .tcpfin = 5, .udp = 7});

  const ConnHandle est = disp.dispatch(svc, tcp(1), kSyn, 40, 0).connection;  // SR: 60 s
  disp.dispatch(svc, tcp(1), kAck, 40, 1000);                                 // ES: 100 s
  const ConnHandle fin = disp.dispatch(svc, tcp(2), kSyn, 40, 0).connection;
  disp.dispatch(svc, tcp(2), kAck, 40, 0);
  disp.dispatch(svc, tcp(2), kFin, 40, 2000);                                 // FW: 5 s
  const ConnHandle syn = disp.dispatch(svc, tcp(3), kSyn, 40, 0).connection;  // SR: 60 s
  const ConnHandle cl = disp.dispatch(svc, tcp(4), kSyn, 40, 0).connection;
  disp.dispatch(svc, tcp(4), kRst, 40, 0);  // rst in SYN_RECV stays SYN_RECV
  EXPECT_EQ(disp.table().state(cl), ConnState::SynRecv);
  disp.dispatch(svc, tcp(4), kAck, 40, 0);
  disp.dispatch(svc, tcp(4), kRst, 40, 0);  // ES + rst -> CLOSE: 10 s

  EXPECT_EQ(disp.table().expires_ms(est), 101'000u);
  EXPECT_EQ(disp.table().expires_ms(fin), 7'000u);
  EXPECT_EQ(disp.table().expires_ms(syn), 60'000u);
  EXPECT_EQ(disp.table().expires_ms(cl), 10'000u);

  expect_expires_at(disp, fin, 7'000);
  expect_expires_at(disp, cl, 10'000);
  expect_expires_at(disp, syn, 60'000);
  expect_expires_at(disp, est, 101'000);
}

TEST(ConnDispatcher, EveryPacketRearmsTheTimer) {
  VirtualService svc(tcp_service(), std::make_unique<FirstUsable>(), {});
  svc.add_destination(kA, {});
  Dispatcher disp;
  const ConnHandle c = disp.dispatch(svc, tcp(1), kSyn, 40, 0).connection;
  disp.dispatch(svc, tcp(1), kAck, 40, 0);  // ESTABLISHED: 900 s
  TimeMs last = 0;
  for (TimeMs t = 500'000; t <= 5'000'000; t += 500'000) {  // every 500 s < 900 s
    disp.expire(t);
    ASSERT_TRUE(disp.table().alive(c)) << t;
    disp.dispatch(svc, tcp(1), kAck, 40, t);
    last = t;
  }
  expect_expires_at(disp, c, last + 900'000);
}

TEST(ConnDispatcher, SynInTimeWaitOrCloseStartsANewConnection) {
  VirtualService svc(tcp_service(), std::make_unique<Cycle>(), {});
  Destination* a = svc.add_destination(kA, {});
  Destination* b = svc.add_destination(kB, {});  // list: B, A
  Dispatcher disp;
  DispatchResult r = disp.dispatch(svc, tcp(7), kSyn, 40, 0);
  EXPECT_EQ(r.destination, b);
  disp.dispatch(svc, tcp(7), kFin, 40, 100);  // SYN_RECV + fin -> TIME_WAIT
  EXPECT_EQ(disp.table().state(r.connection), ConnState::TimeWait);
  EXPECT_EQ(b->inactconns, 1u);

  // conn_reuse_mode 1: the TIME_WAIT entry expires now and the SYN is scheduled afresh.
  const DispatchResult again = disp.dispatch(svc, tcp(7), kSyn, 40, 200);
  EXPECT_TRUE(again.created);
  EXPECT_EQ(again.destination, a);
  EXPECT_FALSE(disp.table().alive(r.connection));
  EXPECT_EQ(b->inactconns + b->activeconns, 0u);
  EXPECT_EQ(a->activeconns, 1u);
  EXPECT_EQ(disp.size(), 1u);

  // ACK -> ESTABLISHED, RST -> CLOSE, then SYN: the same.
  disp.dispatch(svc, tcp(7), kAck, 40, 250);
  disp.dispatch(svc, tcp(7), kRst, 40, 300);
  EXPECT_EQ(disp.table().state(again.connection), ConnState::Close);
  const DispatchResult third = disp.dispatch(svc, tcp(7), kSyn, 40, 400);
  EXPECT_TRUE(third.created);
  EXPECT_EQ(third.destination, b);

  // A SYN on ESTABLISHED is not a new connection (syn row: ES -> ES).
  disp.dispatch(svc, tcp(7), kAck, 40, 500);
  const DispatchResult est = disp.dispatch(svc, tcp(7), kSyn, 40, 600);
  EXPECT_FALSE(est.created);
  EXPECT_EQ(est.connection, third.connection);
  EXPECT_EQ(disp.table().state(est.connection), ConnState::Established);

  // conn_reuse_mode 0: a SYN in TIME_WAIT reuses the entry (TW + syn -> SYN_RECV).
  disp.set_sysctls({.conn_reuse_mode = 0});
  disp.dispatch(svc, tcp(8), kSyn, 40, 0);
  const ConnHandle tw = disp.dispatch(svc, tcp(8), kFin, 40, 0).connection;
  const DispatchResult reused = disp.dispatch(svc, tcp(8), kSyn, 40, 0);
  EXPECT_FALSE(reused.created);
  EXPECT_EQ(reused.connection, tw);
  EXPECT_EQ(disp.table().state(tw), ConnState::SynRecv);
}

TEST(ConnDispatcher, DeletedServerDropsItsConnectionsPackets) {
  VirtualService svc(tcp_service(), std::make_unique<FirstUsable>(), {});
  Destination* a = svc.add_destination(kA, {});
  Dispatcher disp;
  const ConnHandle c = disp.dispatch(svc, tcp(1), kSyn, 40, 0).connection;
  ASSERT_TRUE(svc.delete_destination(kA));
  EXPECT_EQ(svc.trash_size(), 1u);  // the connection still references it
  const DispatchResult r = disp.dispatch(svc, tcp(1), kAck, 40, 1000);
  EXPECT_EQ(r.verdict, Verdict::Drop);
  EXPECT_EQ(r.destination, nullptr);
  EXPECT_EQ(disp.table().state(c), ConnState::SynRecv);  // no transition
  EXPECT_EQ(disp.table().expires_ms(c), 60'000u);        // no re-arm
  EXPECT_EQ(a->stats.inpkts, 1u);
  disp.expire(60'000);
  EXPECT_EQ(disp.size(), 0u);
  svc.expire(60'000);
  EXPECT_EQ(svc.trash_size(), 0u);
}

TEST(ConnDispatcher, NoUsableServerDrops) {
  VirtualService svc(tcp_service(), std::make_unique<FirstUsable>(), {});
  svc.add_destination(kA, {.weight = 0});
  Dispatcher disp;
  const DispatchResult r = disp.dispatch(svc, tcp(1), kSyn, 40, 0);
  EXPECT_EQ(r.verdict, Verdict::Drop);
  EXPECT_FALSE(r.connection.valid());
  EXPECT_EQ(svc.no_dest_total(), 1u);
  // Client port 20 (FTPDATA) is never scheduled: the packet passes.
  EXPECT_EQ(disp.dispatch(svc, tcp(20), kSyn, 40, 0).verdict, Verdict::Pass);
}

TEST(ConnDispatcher, OverloadedServerIsSkippedUntilUnbindClearsIt) {
  VirtualService svc(tcp_service(), std::make_unique<FirstUsable>(), {});
  Destination* a = svc.add_destination(kA, {.weight = 1, .u_threshold = 1});
  Destination* b = svc.add_destination(kB, {});  // list: B, A
  svc.edit_destination(kB, {.weight = 1, .u_threshold = 1});
  Dispatcher disp;
  const DispatchResult r1 = disp.dispatch(svc, tcp(1), kSyn, 40, 0);
  EXPECT_EQ(r1.destination, b);
  EXPECT_TRUE(b->overloaded);
  const DispatchResult r2 = disp.dispatch(svc, tcp(2), kSyn, 40, 0);
  EXPECT_EQ(r2.destination, a);
  EXPECT_TRUE(a->overloaded);
  EXPECT_EQ(disp.dispatch(svc, tcp(3), kSyn, 40, 0).verdict, Verdict::Drop);
  ASSERT_TRUE(disp.remove(r1.connection, 10));  // unbind: 0*4 < 1*3 clears B's flag
  EXPECT_FALSE(b->overloaded);
  EXPECT_EQ(disp.dispatch(svc, tcp(3), kSyn, 40, 20).destination, b);
  EXPECT_FALSE(disp.remove(r1.connection, 30));  // stale handle
}

TEST(ConnDispatcher, FwmarkServiceRecordsPacketAddresses) {
  VirtualService svc({config::ServiceProtocol::Fwmark, {}, 1}, std::make_unique<FirstUsable>(), {});
  svc.add_destination({kA.addr, 0}, {});
  Dispatcher disp;
  const PacketInfo p{kProtoTcp, kClient, 1234, kVip, 443};
  const DispatchResult r = disp.dispatch(svc, p, kSyn, 40, 0);
  ASSERT_EQ(r.verdict, Verdict::Forward);
  EXPECT_EQ(disp.table().key(r.connection), (ConnKey{kProtoTcp, kClient, 1234, kVip, 443}));
}

}  // namespace
}  // namespace lvs
