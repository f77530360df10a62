// diff_services() + ServiceTable::apply_change(): a reload computed off the packet thread and
// applied one change at a time ends in exactly the table (and the ipvsadm command log) that
// ServiceTable::apply() builds in one go — and a large reload is linear, not quadratic.
#include "service/service_diff.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "service/service_table.h"
#include "support/config_yaml.h"

namespace lvs {
namespace {

using test::director_config;

const char* kInitial = R"(
services:
  - tcp-service: 10.200.0.100:80
    scheduler: wlc
    real-servers:
      - {real-server: 10.200.0.11:80, weight: 3}
      - {real-server: 10.200.0.12:80, weight: 2, u-threshold: 10}
      - {real-server: 10.200.0.13:80, weight: 1}
  - udp-service: 10.200.0.100:53
    scheduler: sh
    scheduler-flags: [sh-port]
    persistent: 60
    real-servers:
      - {real-server: 10.200.0.11:53}
  - fwmark-service: 7
    scheduler: dh
    real-servers:
      - {real-server: 10.200.0.11}
)";

const char* kReloaded = R"(
services:
  - tcp-service: 10.200.0.100:80
    scheduler: wlc
    real-servers:
      - {real-server: 10.200.0.11:80, weight: 3}
      - {real-server: 10.200.0.13:80, weight: 5}
      - {real-server: 10.200.0.14:80, weight: 1}
  - udp-service: 10.200.0.100:53
    scheduler: rr
    real-servers:
      - {real-server: 10.200.0.11:53}
  - tcp-service: 10.200.0.101:443
    scheduler: wrr
    real-servers:
      - {real-server: 10.200.0.12:443, weight: 2}
      - {real-server: 10.200.0.13:443, weight: 4}
)";

// Every service with its scheduler and its destinations (list order, weight, thresholds).
std::vector<std::string> table_state(const ServiceTable& table) {
  std::vector<std::string> out;
  for (const auto& svc : table.services()) {
    out.push_back(svc->key().to_string() + " " + std::string(svc->scheduler().name()) + " p" +
                  std::to_string(svc->persistent_timeout_s()));
    for (const Destination* d : svc->destinations()) {
      out.push_back("  " + format_endpoint(d->address) + " w" + std::to_string(d->weight) + " x" +
                    std::to_string(d->u_threshold) + " y" + std::to_string(d->l_threshold));
    }
  }
  return out;
}

std::vector<std::string> apply_stepwise(ServiceTable& table, const config::DirectorConfig& running,
                                        const config::DirectorConfig& next) {
  std::vector<std::string> log;
  for (const ServiceChange& change : diff_services(running, next)) {
    std::string line = table.apply_change(change, next);
    if (!line.empty()) log.push_back(std::move(line));
  }
  return log;
}

TEST(ServiceDiff, StepwiseReloadEqualsApplyInOneGo) {
  const config::DirectorConfig empty;  // no services (a start)
  const auto initial = director_config(kInitial);
  const auto reloaded = director_config(kReloaded);
  // Start, reload, reload back: each stepwise result equals the one-go one, logs included.
  const config::DirectorConfig* sequence[] = {&empty, &initial, &reloaded, &initial, &empty};
  ServiceTable one_go;
  ServiceTable stepwise;
  for (std::size_t i = 1; i < std::size(sequence); ++i) {
    const auto expected_log = one_go.apply(*sequence[i]);
    const auto log = apply_stepwise(stepwise, *sequence[i - 1], *sequence[i]);
    EXPECT_EQ(log, expected_log) << "step " << i;
    EXPECT_EQ(table_state(stepwise), table_state(one_go)) << "step " << i;
  }
}

TEST(ServiceDiff, UnchangedConfigurationIsNoChange) {
  const auto initial = director_config(kInitial);
  EXPECT_TRUE(diff_services(initial, initial).empty());
}

TEST(ServiceDiff, OrderIsDeleteServicesThenPerServiceConfigureDeleteAddInFileOrder) {
  const auto changes = diff_services(director_config(kInitial), director_config(kReloaded));
  using Kind = ServiceChange::Kind;
  std::vector<std::string> got;
  for (const auto& c : changes) {
    const char* kind = c.kind == Kind::DeleteService      ? "-D"
                       : c.kind == Kind::ConfigureService ? "-A/-E"
                       : c.kind == Kind::DeleteServer     ? "-d"
                                                          : "-a/-e";
    got.push_back(std::string(kind) + " " + c.key.to_string() +
                  (c.kind == Kind::DeleteServer ? " " + format_endpoint(c.address) : "") +
                  (c.kind == Kind::AddOrEditServer ? " #" + std::to_string(c.server) : ""));
  }
  EXPECT_EQ(got, (std::vector<std::string>{
                     "-D fwm/7",
                     "-d tcp/10.200.0.100:80 10.200.0.12:80",
                     "-a/-e tcp/10.200.0.100:80 #1",  // .13 reweighted
                     "-a/-e tcp/10.200.0.100:80 #2",  // .14 new
                     "-A/-E udp/10.200.0.100:53",     // sh -> rr, persistence off
                     "-A/-E tcp/10.200.0.101:443",
                     "-a/-e tcp/10.200.0.101:443 #0",
                     "-a/-e tcp/10.200.0.101:443 #1",
                 }));
}

// 10,000 real servers added to a new service and deleted again one change at a time, then added
// and the service deleted at once (drained by -d before its -D). How long each change takes on
// the packet thread is measured by tests/lab/reload_test.sh with 50,000 (a Debug sanitizer
// build here would measure the sanitizer).
TEST(ServiceDiff, TenThousandServersAddAndDeleteStepwise) {
  constexpr std::uint32_t kServers = 10000;
  const auto small = director_config(kInitial);
  config::DirectorConfig big = small;
  config::ServiceConfig svc;
  svc.key.protocol = config::ServiceProtocol::Tcp;
  svc.key.vip = *parse_endpoint("10.200.0.101:80");
  svc.scheduler = "wlc";
  for (std::uint32_t i = 0; i < kServers; ++i) {
    config::RealServerConfig rs;
    rs.address = Endpoint{(10u << 24) | (201u << 16) | (i + 1), 80};
    rs.weight = static_cast<std::int32_t>(i % 5 + 1);
    svc.real_servers.push_back(rs);
  }
  big.services.push_back(std::move(svc));

  ServiceTable table;
  table.apply(small);
  EXPECT_EQ(apply_stepwise(table, small, big).size(), kServers + 1);
  ASSERT_EQ(table.services().size(), 4u);
  EXPECT_EQ(table.services().back()->destinations().size(), kServers);
  // Deleting the servers one by one (-d), then the service's removal.
  config::DirectorConfig emptied = big;
  emptied.services.back().real_servers.clear();
  EXPECT_EQ(apply_stepwise(table, big, emptied).size(), kServers);
  EXPECT_EQ(table.services().back()->destinations().size(), 0u);
  EXPECT_EQ(apply_stepwise(table, emptied, small).size(), 1u);  // -D
  EXPECT_EQ(table_state(table), [&] {
    ServiceTable fresh;
    fresh.apply(small);
    return table_state(fresh);
  }());
  // A -D of the big service straight away: drained by -d first, each change small.
  EXPECT_EQ(apply_stepwise(table, small, big).size(), kServers + 1);
  const auto drained = apply_stepwise(table, big, small);
  ASSERT_EQ(drained.size(), kServers + 1);
  EXPECT_EQ(drained.front(), "-d -t 10.200.0.101:80 -r 10.201.0.1:80");
  EXPECT_EQ(drained.back(), "-D -t 10.200.0.101:80");
  EXPECT_EQ(table.services().size(), 3u);
}

}  // namespace
}  // namespace lvs
