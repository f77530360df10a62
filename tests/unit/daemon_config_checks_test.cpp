#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "config/loader.h"
#include "daemon/config_checks.h"

namespace lvs {
namespace {

config::DirectorConfig load(const std::string& director_block) {
  auto r = config::load_director_config_string(
      "director:\n" + director_block +
          "services:\n  - tcp-service: 10.200.0.100:80\n    real-servers:\n"
          "      - {real-server: 10.200.0.11:80}\n",
      "test.yaml");
  if (auto* errors = std::get_if<std::vector<config::ConfigError>>(&r)) {
    ADD_FAILURE() << errors->front().to_string();
    return {};
  }
  return std::get<config::DirectorConfig>(r);
}

TEST(StartupRefusals, ManagedVipModeIsRefusedWithWhatToDo) {
  const auto refusals = startup_refusals(load("  vip-mode: managed\n"));
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_NE(refusals[0].find("vip-mode: external"), std::string::npos);
  EXPECT_TRUE(startup_refusals(load("  vip-mode: external\n")).empty());
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

TEST(ReloadRefusals, SwitchingToManagedIsRefused) {
  const auto a = load("  vip-mode: external\n");
  const auto b = load("  vip-mode: managed\n");
  EXPECT_EQ(reload_refusals(a, b).size(), 1u);
}

}  // namespace
}  // namespace lvs
