// Dead hosts (issue 5): a destination whose neighbour entry is FAILED gets no new connection
// from any scheduler, through VirtualService::set_dead() (so the indexed schedulers hear of
// it), and comes back when marked alive. Existing connections are not this
// flag's business (the dispatcher keeps them).
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "sched/scheduler.h"
#include "service/service_table.h"
#include "service/virtual_service.h"
#include "support/service_fixture.h"

namespace lvs {
namespace {

using test::ep;

class DeadHost : public ::testing::TestWithParam<std::string_view> {
 protected:
  // Schedules `n` new connections from varied clients (sh, mh and dh hash on them; sh-fallback
  // and mh-fallback so a dead hash target moves to a live server instead of refusing).
  std::set<std::string> chosen(VirtualService& svc, int n, TimeMs now, Ipv4 first_daddr) {
    std::set<std::string> out;
    for (int i = 0; i < n; ++i) {
      PacketInfo p;
      p.saddr = 0x0a000000u + static_cast<Ipv4>(i * 7919);
      p.sport = static_cast<std::uint16_t>(1024 + i);
      p.daddr = first_daddr + static_cast<Ipv4>(i % 5);  // dh/lblc key on the destination
      p.dport = 80;
      Destination* d = svc.schedule(p, now);
      if (d == nullptr) {
        out.insert("none");
        continue;
      }
      out.insert(format_endpoint(d->address));
      VirtualService::bind(*d, ConnCount::Inactive);  // load moves, as real connections do
    }
    return out;
  }
};

TEST_P(DeadHost, GetsNoNewConnectionsUntilAlive) {
  SchedulerFlags flags;
  flags.fallback = true;
  // rs1 added last: the list head, which sed, nq, fo and ovf choose while their keys tie (here
  // always: weight 1 each, and the connections below stay inactive).
  const auto service =
      test::make_service(GetParam(), {"10.200.0.13:80", "10.200.0.12:80", "10.200.0.11:80"}, flags);
  VirtualService& svc = *service;
  Destination* rs1 = svc.find(ep("10.200.0.11:80"));
  ASSERT_NE(rs1, nullptr);

  // lblc/lblcr remember rs1 for some destinations before it dies: the memory must not win.
  chosen(svc, 60, 1000, 0x0ac80064u);

  VirtualService::set_dead(*rs1, true);
  EXPECT_TRUE(rs1->blocked());
  const auto while_dead = chosen(svc, 300, 2000, 0x0ac80064u);
  EXPECT_FALSE(while_dead.contains("10.200.0.11:80")) << GetParam();
  if (GetParam() != "dh") {  // dh maps each address to one server: it may have nothing else
    EXPECT_FALSE(while_dead.contains("none")) << GetParam();
  }

  VirtualService::set_dead(*rs1, false);
  // Back in rotation: with the others loaded, every scheduler picks rs1 sooner or later (the
  // hashing ones for some addresses, the least-connection ones and the head-first ones (sed, nq,
  // fo, ovf) at once). lblc/lblcr keep the addresses they moved away (locality), so new
  // destination addresses are used.
  const auto alive = chosen(svc, 300, 3000, 0x0ac80100u);
  EXPECT_TRUE(alive.contains("10.200.0.11:80")) << GetParam();
}

// Every scheduler the factory knows: one added later is covered without a change here.
INSTANTIATE_TEST_SUITE_P(AllSchedulers, DeadHost, ::testing::ValuesIn(scheduler_names()),
                         [](const auto& info) { return std::string(info.param); });

TEST(ServiceTableDeadHosts, MarkDeadFlagsEveryServiceAndReportsChangesOnce) {
  test::LoadedServices services(R"(
services:
  - tcp-service: 10.200.0.100:80
    scheduler: wlc
    real-servers: [{real-server: 10.200.0.11:80}, {real-server: 10.200.0.12:80}]
  - tcp-service: 10.200.0.100:81
    scheduler: wlc
    real-servers: [{real-server: 10.200.0.11:81}, {real-server: 10.200.0.12:81}]
)");
  ServiceTable& table = services.table;
  const Ipv4 rs1 = ep("10.200.0.11:0").addr;
  auto changed = table.mark_dead([&](Ipv4 ip) { return ip == rs1; });
  EXPECT_EQ(changed.size(), 2u);
  for (const auto& [e, dead] : changed) {
    EXPECT_EQ(e.addr, rs1);
    EXPECT_TRUE(dead);
  }
  EXPECT_TRUE(table.mark_dead([&](Ipv4 ip) { return ip == rs1; }).empty());
  EXPECT_EQ(table.mark_dead([](Ipv4) { return false; }).size(), 2u);
}

}  // namespace
}  // namespace lvs
