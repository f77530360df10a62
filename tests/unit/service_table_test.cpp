// ServiceTable: a configuration is loaded the way the same ipvsadm commands would load it, and a
// reload applies only the difference, so unchanged services keep their state.
#include "service/service_table.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/config_yaml.h"

namespace lvs {
namespace {

using test::director_config;

std::vector<std::string> order(const VirtualService& svc) {
  std::vector<std::string> out;
  for (const Destination* d : svc.destinations()) out.push_back(format_endpoint(d->address));
  return out;
}

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
    netmask: 255.255.255.0
    real-servers:
      - {real-server: 10.200.0.11:53}
  - fwmark-service: 7
    scheduler: dh
    real-servers:
      - {real-server: 10.200.0.11}
)";

// kInitial changed: .12 gone, .13 reweighted, .14 new; the UDP service rr without persistence;
// the fwmark service gone.
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
)";

TEST(ServiceTable, FirstLoadIsAddServiceThenAddServersInFileOrder) {
  ServiceTable table;
  auto log = table.apply(director_config(kInitial));
  EXPECT_EQ(log, (std::vector<std::string>{
                     "-A -t 10.200.0.100:80 -s wlc",
                     "-a -t 10.200.0.100:80 -r 10.200.0.11:80 -g -w 3",
                     "-a -t 10.200.0.100:80 -r 10.200.0.12:80 -g -w 2 -x 10",
                     "-a -t 10.200.0.100:80 -r 10.200.0.13:80 -g -w 1",
                     "-A -u 10.200.0.100:53 -s sh -b sh-port -p 60 -M 255.255.255.0",
                     "-a -u 10.200.0.100:53 -r 10.200.0.11:53 -g -w 1",
                     "-A -f 7 -s dh",
                     "-a -f 7 -r 10.200.0.11:0 -g -w 1",
                 }));
  VirtualService* web = table.find(kProtoTcp, *parse_ipv4("10.200.0.100"), 80);
  ASSERT_NE(web, nullptr);
  // The kernel links each -a at the head: the list is the reverse of the file.
  EXPECT_EQ(order(*web),
            (std::vector<std::string>{"10.200.0.13:80", "10.200.0.12:80", "10.200.0.11:80"}));
  EXPECT_EQ(web->find(*parse_endpoint("10.200.0.12:80"))->u_threshold, 10u);

  VirtualService* dns = table.find(kProtoUdp, *parse_ipv4("10.200.0.100"), 53);
  ASSERT_NE(dns, nullptr);
  EXPECT_EQ(dns->scheduler().name(), "sh");
  EXPECT_TRUE(dns->scheduler_flags().port);
  EXPECT_EQ(dns->persistent_timeout_s(), 60u);
  EXPECT_EQ(dns->netmask(), *parse_ipv4("255.255.255.0"));
  EXPECT_EQ(table.find(kProtoTcp, *parse_ipv4("10.200.0.100"), 53), nullptr);  // protocol matters
  EXPECT_NE(table.find_fwmark(7), nullptr);
  EXPECT_EQ(table.find_fwmark(8), nullptr);
}

TEST(ServiceTable, ReloadAppliesOnlyTheDifference) {
  ServiceTable table;
  table.apply(director_config(kInitial));
  VirtualService* web = table.find(kProtoTcp, *parse_ipv4("10.200.0.100"), 80);
  Destination* rs11 = web->find(*parse_endpoint("10.200.0.11:80"));
  VirtualService::bind(*rs11, ConnCount::Active);  // a live connection on .11

  auto log = table.apply(director_config(kReloaded));
  EXPECT_EQ(log, (std::vector<std::string>{
                     "-D -f 7",
                     "-d -t 10.200.0.100:80 -r 10.200.0.12:80",
                     "-e -t 10.200.0.100:80 -r 10.200.0.13:80 -g -w 5",
                     "-a -t 10.200.0.100:80 -r 10.200.0.14:80 -g -w 1",
                     "-E -u 10.200.0.100:53 -s rr",
                 }));
  // The unchanged service is the same object, its untouched server keeps its connection.
  EXPECT_EQ(table.find(kProtoTcp, *parse_ipv4("10.200.0.100"), 80), web);
  EXPECT_EQ(web->find(*parse_endpoint("10.200.0.11:80")), rs11);
  EXPECT_EQ(rs11->activeconns, 1u);
  // Edited in place, new one at the head.
  EXPECT_EQ(order(*web),
            (std::vector<std::string>{"10.200.0.14:80", "10.200.0.13:80", "10.200.0.11:80"}));
  VirtualService* dns = table.find(kProtoUdp, *parse_ipv4("10.200.0.100"), 53);
  EXPECT_EQ(dns->scheduler().name(), "rr");
  EXPECT_EQ(dns->persistent_timeout_s(), 0u);
  EXPECT_EQ(table.find_fwmark(7), nullptr);

  // The same file again changes nothing.
  EXPECT_TRUE(table.apply(director_config(kReloaded)).empty());
  VirtualService::unbind(*rs11, ConnCount::Active);
}

TEST(ServiceTable, ADeletedServiceLivesOnWhileConnectionsReferenceIt) {
  ServiceTable table;
  table.apply(director_config(kInitial));
  VirtualService* web = table.find(kProtoTcp, *parse_ipv4("10.200.0.100"), 80);
  Destination* rs12 = web->find(*parse_endpoint("10.200.0.12:80"));
  VirtualService::bind(*rs12, ConnCount::Inactive);

  table.apply(director_config(R"(
services:
  - fwmark-service: 7
    scheduler: dh
    real-servers:
      - {real-server: 10.200.0.11}
)"));
  EXPECT_EQ(table.find(kProtoTcp, *parse_ipv4("10.200.0.100"), 80), nullptr);
  EXPECT_EQ(table.graveyard_size(), 1u);  // the web service (dns had no references)
  EXPECT_FALSE(rs12->available);
  EXPECT_EQ(rs12->service, web);  // still valid memory for the connection that points at it
  table.expire(1000);
  EXPECT_EQ(table.graveyard_size(), 1u);
  VirtualService::unbind(*rs12, ConnCount::Inactive);
  table.expire(2000);
  EXPECT_EQ(table.graveyard_size(), 0u);
}

// Issue 13, finding 2, through a reload: a server dropped from the file while its connections
// had it overloaded, then listed again, comes back from the trash by -a. As in the kernel
// (__ip_vs_update_dest()), the same u-threshold keeps it overloaded, a higher one revives it.
TEST(ServiceTable, ReloadReAddingAnOverloadedServerKeepsOverloadUnlessTheThresholdRises) {
  const char* with = R"(
services:
  - tcp-service: 10.200.0.100:80
    scheduler: wlc
    real-servers:
      - {real-server: 10.200.0.11:80}
      - {real-server: 10.200.0.12:80, u-threshold: 2}
)";
  const char* without = R"(
services:
  - tcp-service: 10.200.0.100:80
    scheduler: wlc
    real-servers:
      - {real-server: 10.200.0.11:80}
)";
  const char* raised = R"(
services:
  - tcp-service: 10.200.0.100:80
    scheduler: wlc
    real-servers:
      - {real-server: 10.200.0.11:80}
      - {real-server: 10.200.0.12:80, u-threshold: 3}
)";
  ServiceTable table;
  table.apply(director_config(with));
  VirtualService* web = table.find(kProtoTcp, *parse_ipv4("10.200.0.100"), 80);
  Destination* rs11 = web->find(*parse_endpoint("10.200.0.11:80"));
  Destination* rs12 = web->find(*parse_endpoint("10.200.0.12:80"));
  VirtualService::bind(*rs11, ConnCount::Active);    // .11 overhead 256
  VirtualService::bind(*rs12, ConnCount::Inactive);  // .12 overhead 2, 2 >= u-threshold 2
  VirtualService::bind(*rs12, ConnCount::Inactive);
  ASSERT_TRUE(rs12->overloaded);
  EXPECT_EQ(web->schedule({}, 0), rs11);

  table.apply(director_config(without));
  EXPECT_EQ(table.apply(director_config(with)),
            (std::vector<std::string>{"-a -t 10.200.0.100:80 -r 10.200.0.12:80 -g -w 1 -x 2"}));
  ASSERT_EQ(web->find(*parse_endpoint("10.200.0.12:80")), rs12);  // revived, not new
  EXPECT_TRUE(rs12->overloaded);
  EXPECT_EQ(web->schedule({}, 0), rs11);  // wlc would take .12 (2 < 256) were it usable

  table.apply(director_config(without));
  table.apply(director_config(raised));
  EXPECT_FALSE(rs12->overloaded);
  EXPECT_EQ(web->schedule({}, 0), rs12);

  VirtualService::unbind(*rs11, ConnCount::Active);
  VirtualService::unbind(*rs12, ConnCount::Inactive);
  VirtualService::unbind(*rs12, ConnCount::Inactive);
}

TEST(ServiceTable, RunTimeRealServerChangesReportIpvsadmErrors) {
  ServiceTable table;
  table.apply(director_config(kInitial));
  const auto key = *config::parse_service_key("tcp/10.200.0.100:80");
  config::RealServerConfig rs;
  rs.address = *parse_endpoint("10.200.0.11:80");
  EXPECT_EQ(table.add_real_server(key, rs), "Destination already exists");
  rs.address = *parse_endpoint("10.200.0.19:80");
  EXPECT_EQ(table.edit_real_server(key, rs), "No such destination");
  EXPECT_EQ(table.delete_real_server(key, rs.address), "No such destination");
  EXPECT_EQ(table.add_real_server(key, rs), "");
  EXPECT_EQ(table.delete_real_server(*config::parse_service_key("tcp/10.200.0.100:81"), rs.address),
            "No such service");
}

}  // namespace
}  // namespace lvs
