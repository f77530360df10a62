#include "core/agent_metrics.h"

#include <algorithm>

#include "base/prometheus_families.h"

namespace lvs::agent {
namespace {

using prom::add;
using prom::family;
using prom::MetricFamily;
using prom::MetricType;

}  // namespace

std::vector<MetricFamily> build_agent_metrics(const AgentMetricsInput& in) {
  std::vector<MetricFamily> out;
  auto up = family("lvs_agent_up", "1 while the real-server agent runs", MetricType::Gauge);
  add(up, {}, 1);
  out.push_back(std::move(up));

  if (in.desired != nullptr && in.observed != nullptr) {
    const auto& d = *in.desired;
    const auto& o = *in.observed;
    auto present = family("lvs_agent_vip_present",
                          "1 if the VIP is held as a /32 on the VIP device", MetricType::Gauge);
    auto dropped = family("lvs_agent_arp_requests_dropped_total",
                          "ARP requests for the VIP dropped by the agent's nftables rule",
                          MetricType::Counter);
    for (Ipv4 vip : d.vips) {
      const std::string v = format_ipv4(vip);
      const bool is_present =
          std::find(o.vips_present.begin(), o.vips_present.end(), vip) != o.vips_present.end();
      add(present, {{"vip", v}}, is_present ? 1 : 0);
      auto it = in.arp_requests_dropped.find(vip);
      add(dropped, {{"vip", v}},
          static_cast<double>(it == in.arp_requests_dropped.end() ? 0 : it->second));
    }
    out.push_back(std::move(present));
    out.push_back(std::move(dropped));

    auto compliant = family("lvs_agent_sysctl_compliant",
                            "1 if net.ipv4.conf.<interface>.<name> holds the configured value",
                            MetricType::Gauge);
    for (const auto& s : d.sysctls) {
      auto it = o.sysctls.find(s.sysctl_name());
      const bool ok = it != o.sysctls.end() && it->second && *it->second == s.value;
      add(compliant, {{"name", s.name}, {"interface", s.interface}}, ok ? 1 : 0);
    }
    out.push_back(std::move(compliant));

    auto verified = family("lvs_agent_nft_table_verified",
                           "1 if the agent's nftables arp table holds exactly the expected rules",
                           MetricType::Gauge);
    add(verified, {}, o.nft_table_verified ? 1 : 0);
    out.push_back(std::move(verified));
  }

  auto repairs = family("lvs_agent_drift_repairs_total",
                        "Drift repaired after start-up, by kind (vip, sysctl, nft_table)",
                        MetricType::Counter);
  for (RepairKind k : kAllRepairKinds) {
    auto it = in.repairs.find(k);
    add(repairs, {{"kind", std::string(to_string(k))}},
        static_cast<double>(it == in.repairs.end() ? 0 : it->second));
  }
  out.push_back(std::move(repairs));

  auto healthy =
      family("lvs_agent_healthy",
             "1 when every VIP is present and ARP suppression is verified (/healthz 200)",
             MetricType::Gauge);
  add(healthy, {}, in.healthy ? 1 : 0);
  out.push_back(std::move(healthy));
  return out;
}

}  // namespace lvs::agent
