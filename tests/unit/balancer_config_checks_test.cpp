#include <gtest/gtest.h>

#include <string>

#include "balancer/config_checks.h"
#include "support/config_yaml.h"

namespace lvs {
namespace {

// One service behind the given director block.
config::DirectorConfig load(const std::string& director_block) {
  return test::director_config("director:\n" + director_block +
                               "services:\n  - tcp-service: 10.200.0.100:80\n    real-servers:\n"
                               "      - {real-server: 10.200.0.11:80}\n");
}

TEST(StartupRefusals, BothVipModesStart) {
  EXPECT_TRUE(startup_refusals(load("  vip-mode: managed\n")).empty());
  EXPECT_TRUE(startup_refusals(load("  vip-mode: external\n")).empty());
}

TEST(ManagedVips, EveryTcpAndUdpVipOnceFwmarkNone) {
  const auto config = test::director_config(
      "director:\n  vip-mode: managed\nservices:\n"
      "  - tcp-service: 10.200.0.101:80\n    real-servers: [{real-server: 10.200.0.11:80}]\n"
      "  - udp-service: 10.200.0.100:53\n    real-servers: [{real-server: 10.200.0.11:53}]\n"
      "  - tcp-service: 10.200.0.100:80\n    real-servers: [{real-server: 10.200.0.11:80}]\n"
      "  - fwmark-service: 1\n    real-servers: [{real-server: 10.200.0.12}]\n");
  ASSERT_FALSE(HasFailure()) << "the configuration loads";
  const auto vips = managed_vips_of(config);
  ASSERT_EQ(vips.size(), 2u);
  EXPECT_EQ(format_ipv4(vips[0]), "10.200.0.100");
  EXPECT_EQ(format_ipv4(vips[1]), "10.200.0.101");
}

TEST(ReloadRefusals, ServiceChangesAreFine) {
  const auto a = load("  vip-mode: external\n");
  auto b = a;
  b.services[0].scheduler = "rr";
  b.director.timeouts.tcp = 60;
  EXPECT_TRUE(reload_refusals(a, b).empty());
}

TEST(ReloadRefusals, InterfaceAndQueueNeedARestart) {
  const auto a = load("  vip-mode: external\n  interface: eth0\n  queue: 0\n");
  const auto b = load("  vip-mode: external\n  interface: eth1\n  queue: 0-3\n");
  const auto refusals = reload_refusals(a, b);
  ASSERT_EQ(refusals.size(), 2u);
  EXPECT_NE(refusals[0].find("eth1"), std::string::npos);
  EXPECT_NE(refusals[1].find("0-3"), std::string::npos);
  EXPECT_NE(refusals[1].find("restart"), std::string::npos);
}

TEST(ReloadRefusals, MetricsAddressNeedsARestart) {
  const auto a = load("  vip-mode: external\n  metrics: 127.0.0.1:9469\n");
  const auto b = load("  vip-mode: external\n  metrics: 127.0.0.1:9470\n");
  const auto refusals = reload_refusals(a, b);
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_NE(refusals[0].find("director.metrics: changed from 127.0.0.1:9469 to 127.0.0.1:9470"),
            std::string::npos);
  EXPECT_TRUE(reload_refusals(a, a).empty());
}

TEST(ReloadRefusals, SwitchingVipModeNeedsARestart) {
  const auto a = load("  vip-mode: external\n");
  const auto b = load("  vip-mode: managed\n");
  ASSERT_EQ(reload_refusals(a, b).size(), 1u);
  EXPECT_NE(reload_refusals(a, b)[0].find("from external to managed"), std::string::npos);
  EXPECT_EQ(reload_refusals(b, a).size(), 1u);
}

TEST(ReloadRefusals, ManagedModeRefusesAChangedVipSetButNotOtherChanges) {
  const auto a = load("  vip-mode: managed\n");
  auto same_vip = a;
  same_vip.services[0].scheduler = "rr";
  same_vip.services[0].key.vip.port = 8080;
  EXPECT_TRUE(reload_refusals(a, same_vip).empty());
  auto moved = a;
  moved.services[0].key.vip.addr = 0x0AC80065;  // 10.200.0.101
  const auto refusals = reload_refusals(a, moved);
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_NE(refusals[0].find("from 10.200.0.100 to 10.200.0.101"), std::string::npos);
  EXPECT_NE(refusals[0].find("restart"), std::string::npos);
  // External mode: the VIPs are someone else's business.
  auto ext = load("  vip-mode: external\n");
  auto ext_moved = ext;
  ext_moved.services[0].key.vip.addr = 0x0AC80065;
  EXPECT_TRUE(reload_refusals(ext, ext_moved).empty());
}

}  // namespace
}  // namespace lvs
