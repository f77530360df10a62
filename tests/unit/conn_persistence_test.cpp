// Persistence templates through the Dispatcher (ip_vs_sched_persist(), ip_vs_check_template(),
// ip_vs_conn_expire()): stickiness, netmask grouping, template lifetime and re-arming,
// expire_later while controlling, deleted and quiesced servers, and the template key layout.
#include <gtest/gtest.h>

#include <memory>

#include "conn/dispatcher.h"
#include "conn/persistence_template.h"
#include "support/test_schedulers.h"

namespace lvs {
namespace {

using testing::Cycle;

constexpr Ipv4 kVip = 0x0ac80064;  // 10.200.0.100
constexpr Endpoint kA{0x0ac8000b, 80};
constexpr Endpoint kB{0x0ac8000c, 80};

constexpr TcpFlags kSyn{.syn = true};
constexpr TcpFlags kAck{.ack = true};
constexpr TcpFlags kRst{.rst = true};

PacketInfo tcp(Ipv4 client, std::uint16_t sport) { return {kProtoTcp, client, sport, kVip, 80}; }

struct Fixture {
  explicit Fixture(std::uint32_t timeout_s = 300, Ipv4 netmask = 0xffffffffu)
      : svc({config::ServiceProtocol::Tcp, {kVip, 80}, 0}, std::make_unique<Cycle>(), {}) {
    svc.set_persistence(timeout_s, netmask);
    a = svc.add_destination(kA, {});
    b = svc.add_destination(kB, {});  // list: B, A -> Cycle picks B first
  }
  // A connection that opens and is reset at once: SYN, ACK, RST -> CLOSE (10 s).
  DispatchResult short_conn(Ipv4 client, std::uint16_t port, TimeMs now) {
    DispatchResult r = disp.dispatch(svc, tcp(client, port), kSyn, 60, now);
    disp.dispatch(svc, tcp(client, port), kAck, 52, now);
    disp.dispatch(svc, tcp(client, port), kRst, 40, now);
    return r;
  }
  VirtualService svc;
  Destination* a = nullptr;
  Destination* b = nullptr;
  Dispatcher disp;
};

TEST(ConnPersistence, SameClientSticksWhileTemplateLives) {
  Fixture f;
  EXPECT_EQ(f.disp.dispatch(f.svc, tcp(0x0a000001, 1000), kSyn, 60, 0).destination, f.b);
  EXPECT_EQ(f.disp.templates(), 1u);
  EXPECT_EQ(f.b->persistconns, 1u);
  // The cycle would give A next; the template says B.
  EXPECT_EQ(f.disp.dispatch(f.svc, tcp(0x0a000001, 1001), kSyn, 60, 10).destination, f.b);
  EXPECT_EQ(f.disp.templates(), 1u);
  // Another client: a new template, scheduled -> A.
  EXPECT_EQ(f.disp.dispatch(f.svc, tcp(0x0a000002, 1000), kSyn, 60, 20).destination, f.a);
  EXPECT_EQ(f.disp.templates(), 2u);
  EXPECT_EQ(f.disp.size(), 5u);
  EXPECT_EQ(f.b->activeconns, 2u);  // templates are not connections
  EXPECT_EQ(f.b->stats.conns, 2u);
}

TEST(ConnPersistence, NetmaskGroupsClients) {
  Fixture f(300, 0xffffff00u);
  EXPECT_EQ(f.disp.dispatch(f.svc, tcp(0x0a000001, 1), kSyn, 60, 0).destination, f.b);
  EXPECT_EQ(f.disp.dispatch(f.svc, tcp(0x0a0000c8, 1), kSyn, 60, 0).destination, f.b);
  EXPECT_EQ(f.disp.dispatch(f.svc, tcp(0x0a000101, 1), kSyn, 60, 0).destination, f.a);
  EXPECT_EQ(f.disp.templates(), 2u);
}

TEST(ConnPersistence, TemplateOutlivesItsLastConnectionByTheTimeout) {
  Fixture f;
  f.short_conn(0x0a000001, 1, 0);  // CLOSE at t=0: gone at 10 s; template armed to 300 s
  f.disp.expire(10'000);
  EXPECT_EQ(f.disp.size(), 1u);
  EXPECT_EQ(f.disp.templates(), 1u);
  f.disp.expire(299'999);
  EXPECT_EQ(f.disp.templates(), 1u);
  // Still sticky after the connection is gone.
  const DispatchResult again = f.short_conn(0x0a000001, 2, 200'000);
  EXPECT_EQ(again.destination, f.b);
  // That use re-armed the template: 200 s + 300 s.
  f.disp.expire(499'999);
  EXPECT_EQ(f.disp.templates(), 1u);
  f.disp.expire(500'000);
  EXPECT_EQ(f.disp.templates(), 0u);
  EXPECT_EQ(f.b->persistconns, 0u);
  EXPECT_EQ(f.b->refcnt, 0u);
  // A fresh template: the cycle moves on to A.
  EXPECT_EQ(f.short_conn(0x0a000001, 3, 600'000).destination, f.a);
}

TEST(ConnPersistence, TemplateIsKeptSixtySecondsAtATimeWhileItControls) {
  Fixture f;
  const ConnHandle c = f.disp.dispatch(f.svc, tcp(0x0a000001, 1), kSyn, 60, 0).connection;
  f.disp.dispatch(f.svc, tcp(0x0a000001, 1), kAck, 52, 1);  // ESTABLISHED until 900.001 s
  const ConnHandle tpl = f.disp.table().control(c);
  ASSERT_TRUE(tpl.valid());
  EXPECT_EQ(f.disp.table().n_control(tpl), 1u);
  EXPECT_EQ(f.disp.table().expires_ms(tpl), 300'000u);

  f.disp.expire(300'000);  // expire_later: n_control != 0 -> +60 s, timeout becomes 60 s
  EXPECT_TRUE(f.disp.table().alive(tpl));
  EXPECT_EQ(f.disp.table().expires_ms(tpl), 360'000u);
  EXPECT_EQ(f.disp.table().template_timeout_s(tpl), 60u);
  f.disp.expire(900'000);  // fired at 360, 420, ..., 900 s, still controlling
  EXPECT_EQ(f.disp.table().expires_ms(tpl), 960'000u);
  f.disp.expire(900'001);  // the connection expires; the template stays
  EXPECT_FALSE(f.disp.table().alive(c));
  EXPECT_EQ(f.disp.table().n_control(tpl), 0u);
  f.disp.expire(959'999);
  EXPECT_TRUE(f.disp.table().alive(tpl));
  f.disp.expire(960'000);
  EXPECT_FALSE(f.disp.table().alive(tpl));
  EXPECT_EQ(f.b->persistconns, 0u);
}

TEST(ConnPersistence, UseAfterExpireLaterRearmsWithSixtySeconds) {
  Fixture f;
  f.disp.dispatch(f.svc, tcp(0x0a000001, 1), kSyn, 60, 0);
  f.disp.dispatch(f.svc, tcp(0x0a000001, 1), kAck, 52, 0);
  f.disp.expire(300'000);  // template timeout is now 60 s (ct->timeout = 60*HZ)
  const ConnHandle c2 = f.short_conn(0x0a000001, 2, 310'000).connection;
  EXPECT_EQ(f.disp.table().expires_ms(f.disp.table().control(c2)), 370'000u);
}

TEST(ConnPersistence, DeletedServerInvalidatesTemplateAndReschedules) {
  Fixture f;
  const ConnHandle old = f.disp.dispatch(f.svc, tcp(0x0a000001, 1), kSyn, 60, 0).connection;
  ASSERT_EQ(f.disp.table().destination(old), f.b);
  const ConnHandle old_tpl = f.disp.table().control(old);
  ASSERT_TRUE(f.svc.delete_destination(kB));

  const DispatchResult r = f.disp.dispatch(f.svc, tcp(0x0a000001, 2), kSyn, 60, 1000);
  EXPECT_EQ(r.destination, f.a);
  const ConnHandle new_tpl = f.disp.table().control(r.connection);
  EXPECT_NE(new_tpl, old_tpl);
  // The invalid template is no longer found but lives on (bound to B) until it expires.
  EXPECT_TRUE(f.disp.table().alive(old_tpl));
  EXPECT_EQ(f.disp.templates(), 2u);
  EXPECT_EQ(f.b->persistconns, 1u);
  EXPECT_EQ(f.a->persistconns, 1u);
  // The client keeps going to A.
  EXPECT_EQ(f.disp.dispatch(f.svc, tcp(0x0a000001, 3), kSyn, 60, 2000).destination, f.a);
  // Packets of the old connection to deleted B are dropped.
  EXPECT_EQ(f.disp.dispatch(f.svc, tcp(0x0a000001, 1), kAck, 52, 3000).verdict, Verdict::Drop);
}

TEST(ConnPersistence, QuiescedServerKeepsPersistentClients) {
  Fixture f;
  f.short_conn(0x0a000001, 1, 0);  // -> B
  f.svc.edit_destination(kB, {.weight = 0});
  EXPECT_EQ(f.short_conn(0x0a000001, 2, 1000).destination, f.b);
  // A new client is not sent to the weight-0 server.
  EXPECT_EQ(f.short_conn(0x0a000002, 1, 1000).destination, f.a);

  // sysctl expire_quiescent_template=1: the weight-0 template is invalid.
  f.disp.set_sysctls({.expire_quiescent_template = true});
  EXPECT_EQ(f.short_conn(0x0a000001, 3, 2000).destination, f.a);
}

TEST(ConnPersistence, TemplateKeyLayout) {
  const PacketInfo p{kProtoTcp, 0x0a000123, 40000, kVip, 80};
  VirtualService http({config::ServiceProtocol::Tcp, {kVip, 80}, 0}, std::make_unique<Cycle>(), {});
  http.set_persistence(300, 0xffffff00u);
  EXPECT_EQ(PersistenceTemplate::key_for(http, p), (ConnKey{kProtoTcp, 0x0a000100, 0, kVip, 80}));

  VirtualService ftp({config::ServiceProtocol::Tcp, {kVip, 21}, 0}, std::make_unique<Cycle>(), {});
  ftp.set_persistence(300, 0xffffffffu);
  EXPECT_EQ(PersistenceTemplate::key_for(ftp, {kProtoTcp, 0x0a000123, 40000, kVip, 21}),
            (ConnKey{kProtoTcp, 0x0a000123, 0, kVip, 0}));

  VirtualService any_port({config::ServiceProtocol::Tcp, {kVip, 0}, 0}, std::make_unique<Cycle>(),
                          {});
  any_port.set_persistence(300, 0xffffffffu);
  EXPECT_EQ(PersistenceTemplate::key_for(any_port, {kProtoTcp, 0x0a000123, 40000, kVip, 443}),
            (ConnKey{kProtoTcp, 0x0a000123, 0, kVip, 0}));

  VirtualService mark({config::ServiceProtocol::Fwmark, {}, 7}, std::make_unique<Cycle>(), {});
  mark.set_persistence(300, 0xffffffffu);
  EXPECT_EQ(PersistenceTemplate::key_for(mark, {kProtoUdp, 0x0a000123, 5000, kVip, 53}),
            (ConnKey{kProtoIp, 0x0a000123, 0, 7, 0}));
}

TEST(ConnPersistence, FwmarkTemplateCoversAllProtocolsAndPorts) {
  VirtualService svc({config::ServiceProtocol::Fwmark, {}, 7}, std::make_unique<Cycle>(), {});
  svc.set_persistence(300, 0xffffffffu);
  svc.add_destination({kA.addr, 0}, {});
  Destination* b = svc.add_destination({kB.addr, 0}, {});
  Dispatcher disp;
  EXPECT_EQ(disp.dispatch(svc, {kProtoTcp, 0x0a000001, 1, kVip, 80}, kSyn, 60, 0).destination, b);
  EXPECT_EQ(disp.dispatch(svc, {kProtoTcp, 0x0a000001, 2, kVip, 443}, kSyn, 60, 0).destination, b);
  EXPECT_EQ(disp.dispatch(svc, {kProtoUdp, 0x0a000001, 3, kVip, 53}, {}, 60, 0).destination, b);
  EXPECT_EQ(disp.templates(), 1u);
}

TEST(ConnPersistence, PortZeroServiceSchedulesAnyPortOnlyWhenPersistent) {
  VirtualService svc({config::ServiceProtocol::Tcp, {kVip, 0}, 0}, std::make_unique<Cycle>(), {});
  svc.add_destination({kA.addr, 0}, {});
  Dispatcher disp;
  const PacketInfo p{kProtoTcp, 0x0a000001, 1, kVip, 443};
  EXPECT_EQ(disp.dispatch(svc, p, kSyn, 60, 0).verdict, Verdict::Drop);
  svc.set_persistence(300, 0xffffffffu);
  EXPECT_EQ(disp.dispatch(svc, p, kSyn, 60, 0).verdict, Verdict::Forward);
}

}  // namespace
}  // namespace lvs
