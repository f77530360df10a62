// The agent's Prometheus families (DESIGN.md §5 names) and the counter that stays monotonic
// when the nft rule counters restart from 0.
#include "core/agent_metrics.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include "core/counter_accumulator.h"

namespace lvs::agent {
namespace {

constexpr Ipv4 kVip = 0x0ac80064;  // 10.200.0.100

std::string render(const std::vector<prometheus::MetricFamily>& f) {
  return prometheus::TextSerializer().Serialize(f);
}

TEST(AgentCounterAccumulator, SurvivesResets) {
  CounterAccumulator c;
  c.observe(5);
  c.observe(7);
  EXPECT_EQ(c.total(), 7u);
  c.reset();  // the agent reinstalled its table
  c.observe(2);
  EXPECT_EQ(c.total(), 9u);
  c.observe(1);  // someone else replaced it: the reading went down
  EXPECT_EQ(c.total(), 10u);
  c.observe(4);
  EXPECT_EQ(c.total(), 13u);
}

TEST(AgentMetrics, FixedNamesAndLabels) {
  config::AgentConfig cfg;
  cfg.vips = {kVip};
  const auto d = desired_state_for(cfg);
  ObservedState o;
  o.vips_present = {kVip};
  for (const auto& s : d.sysctls) o.sysctls[s.sysctl_name()] = s.value;
  o.sysctls["net.ipv4.conf.eth0.arp_ignore"] = 0;
  o.nft_table_verified = true;
  AgentMetricsInput in;
  in.desired = &d;
  in.observed = &o;
  in.arp_requests_dropped[kVip] = 12;
  in.repairs[RepairKind::Vip] = 2;
  in.healthy = false;
  const auto text = render(build_agent_metrics(in));
  for (const char* line : {
           "lvs_agent_up 1",
           "lvs_agent_vip_present{vip=\"10.200.0.100\"} 1",
           "lvs_agent_arp_requests_dropped_total{vip=\"10.200.0.100\"} 12",
           "lvs_agent_sysctl_compliant{name=\"arp_ignore\",interface=\"all\"} 1",
           "lvs_agent_sysctl_compliant{name=\"arp_ignore\",interface=\"eth0\"} 0",
           "lvs_agent_sysctl_compliant{name=\"arp_announce\",interface=\"eth0\"} 1",
           "lvs_agent_drift_repairs_total{kind=\"vip\"} 2",
           "lvs_agent_drift_repairs_total{kind=\"sysctl\"} 0",
           "lvs_agent_drift_repairs_total{kind=\"nft_table\"} 0",
           "lvs_agent_nft_table_verified 1",
           "lvs_agent_healthy 0",
       }) {
    EXPECT_NE(text.find(std::string(line) + "\n"), std::string::npos) << line << "\n" << text;
  }
  EXPECT_NE(text.find("# TYPE lvs_agent_drift_repairs_total counter"), std::string::npos);
  EXPECT_NE(text.find("# TYPE lvs_agent_vip_present gauge"), std::string::npos);
}

TEST(AgentMetrics, MissingVipReadsZero) {
  config::AgentConfig cfg;
  cfg.vips = {kVip};
  const auto d = desired_state_for(cfg);
  ObservedState o;
  AgentMetricsInput in;
  in.desired = &d;
  in.observed = &o;
  const auto text = render(build_agent_metrics(in));
  EXPECT_NE(text.find("lvs_agent_vip_present{vip=\"10.200.0.100\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("lvs_agent_arp_requests_dropped_total{vip=\"10.200.0.100\"} 0\n"),
            std::string::npos);
}

}  // namespace
}  // namespace lvs::agent
