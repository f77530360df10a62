// The agent's desired state and drift planner (realserver-agent/src/core): what a check must
// repair, in which order, and when the host is healthy.
#include <gtest/gtest.h>

#include "core/desired_state.h"
#include "core/drift_plan.h"

namespace lvs::agent {
namespace {

constexpr Ipv4 kVip = 0x0ac80064;   // 10.200.0.100
constexpr Ipv4 kVip2 = 0x0ac80065;  // 10.200.0.101

config::AgentConfig lab_config() {
  config::AgentConfig c;
  c.vips = {kVip, kVip2};
  c.vip_device = "lo";
  c.interfaces = {"eth0", "eth1"};
  c.arp_ignore = 1;
  c.arp_announce = 2;
  return c;
}

ObservedState compliant(const DesiredState& d) {
  ObservedState o;
  o.vips_present = d.vips;
  for (const auto& s : d.sysctls) o.sysctls[s.sysctl_name()] = s.value;
  o.nft_table_verified = true;
  return o;
}

TEST(AgentDesiredState, AllAndEveryInterfaceGetBothSysctls) {
  const auto d = desired_state_for(lab_config());
  ASSERT_EQ(d.sysctls.size(), 6u);
  EXPECT_EQ(d.sysctls[0], (SysctlSetting{"all", "arp_ignore", 1}));
  EXPECT_EQ(d.sysctls[1], (SysctlSetting{"all", "arp_announce", 2}));
  EXPECT_EQ(d.sysctls[4], (SysctlSetting{"eth1", "arp_ignore", 1}));
  EXPECT_EQ(d.sysctls[0].sysctl_name(), "net.ipv4.conf.all.arp_ignore");
  EXPECT_EQ(d.sysctls[3].proc_path(), "/proc/sys/net/ipv4/conf/eth0/arp_announce");
  EXPECT_EQ(d.vips, (std::vector<Ipv4>{kVip, kVip2}));
  EXPECT_EQ(d.vip_device, "lo");
}

TEST(AgentDesiredState, InterfaceNamedAllIsNotListedTwice) {
  auto c = lab_config();
  c.interfaces = {"all", "eth0"};
  EXPECT_EQ(desired_state_for(c).sysctls.size(), 4u);
}

TEST(AgentDesiredState, VlanInterfaceKeepsItsDotInTheProcPath) {
  EXPECT_EQ((SysctlSetting{"eth0.100", "arp_ignore", 1}).proc_path(),
            "/proc/sys/net/ipv4/conf/eth0.100/arp_ignore");
}

TEST(AgentDriftPlan, CompliantHostNeedsNothingAndIsHealthy) {
  const auto d = desired_state_for(lab_config());
  const auto o = compliant(d);
  EXPECT_TRUE(plan_repairs(d, o).empty());
  const auto h = assess_health(d, o);
  EXPECT_TRUE(h.healthy);
  EXPECT_TRUE(h.problems.empty());
}

TEST(AgentDriftPlan, RemovedVipIsAddedBack) {
  const auto d = desired_state_for(lab_config());
  auto o = compliant(d);
  o.vips_present = {kVip2};
  const auto p = plan_repairs(d, o);
  EXPECT_EQ(p.vips_to_add, std::vector<Ipv4>{kVip});
  EXPECT_TRUE(p.sysctls_to_set.empty());
  EXPECT_FALSE(p.reinstall_nft_table);
  const auto h = assess_health(d, o);
  EXPECT_FALSE(h.healthy);
  ASSERT_EQ(h.problems.size(), 1u);
  EXPECT_EQ(h.problems[0], "VIP 10.200.0.100 is not on lo");
}

TEST(AgentDriftPlan, ResetSysctlIsSetAgain) {
  const auto d = desired_state_for(lab_config());
  auto o = compliant(d);
  o.sysctls["net.ipv4.conf.eth0.arp_ignore"] = 0;
  const auto p = plan_repairs(d, o);
  ASSERT_EQ(p.sysctls_to_set.size(), 1u);
  EXPECT_EQ(p.sysctls_to_set[0], (SysctlSetting{"eth0", "arp_ignore", 1}));
  const auto h = assess_health(d, o);
  ASSERT_EQ(h.problems.size(), 1u);
  EXPECT_EQ(h.problems[0], "net.ipv4.conf.eth0.arp_ignore is 0, expected 1");
}

TEST(AgentDriftPlan, HigherThanConfiguredIsDriftToo) {
  // arp_announce 2 is the maximum the kernel knows; arp_ignore 8 would drop all ARP: both
  // differ from what the operator asked for.
  const auto d = desired_state_for(lab_config());
  auto o = compliant(d);
  o.sysctls["net.ipv4.conf.all.arp_ignore"] = 8;
  EXPECT_EQ(plan_repairs(d, o).sysctls_to_set.size(), 1u);
}

TEST(AgentDriftPlan, UnreadableSysctlIsNotWrittenButUnhealthy) {
  const auto d = desired_state_for(lab_config());
  auto o = compliant(d);
  o.sysctls["net.ipv4.conf.eth1.arp_ignore"] = std::nullopt;
  o.sysctls.erase("net.ipv4.conf.eth1.arp_announce");
  EXPECT_TRUE(plan_repairs(d, o).empty());
  const auto h = assess_health(d, o);
  EXPECT_FALSE(h.healthy);
  EXPECT_EQ(h.problems.size(), 2u);
}

TEST(AgentDriftPlan, UnverifiedTableIsReinstalledAndNamedInHealth) {
  const auto d = desired_state_for(lab_config());
  auto o = compliant(d);
  o.nft_table_verified = false;
  o.nft_problem = "table arp lvs_agent is missing";
  EXPECT_TRUE(plan_repairs(d, o).reinstall_nft_table);
  const auto h = assess_health(d, o);
  ASSERT_EQ(h.problems.size(), 1u);
  EXPECT_EQ(h.problems[0], "table arp lvs_agent is missing");
}

TEST(AgentDriftPlan, MisplacedVipMakesUnhealthyButIsNotTouched) {
  const auto d = desired_state_for(lab_config());
  auto o = compliant(d);
  o.vips_misplaced = {{kVip, "eth0"}};
  EXPECT_TRUE(plan_repairs(d, o).empty());
  const auto h = assess_health(d, o);
  EXPECT_FALSE(h.healthy);
  EXPECT_NE(h.problems[0].find("also on eth0"), std::string::npos);
}

TEST(AgentDriftPlan, EverythingGoneIsPlannedAtOnce) {
  const auto d = desired_state_for(lab_config());
  ObservedState o;
  for (const auto& s : d.sysctls) o.sysctls[s.sysctl_name()] = 0;
  const auto p = plan_repairs(d, o);
  EXPECT_EQ(p.vips_to_add.size(), 2u);
  EXPECT_EQ(p.sysctls_to_set.size(), 6u);
  EXPECT_TRUE(p.reinstall_nft_table);
  EXPECT_EQ(assess_health(d, o).problems.size(), 2u + 6u + 1u);
}

TEST(AgentDriftPlan, RepairKindLabels) {
  EXPECT_EQ(to_string(RepairKind::Vip), "vip");
  EXPECT_EQ(to_string(RepairKind::Sysctl), "sysctl");
  EXPECT_EQ(to_string(RepairKind::NftTable), "nft_table");
}

}  // namespace
}  // namespace lvs::agent
