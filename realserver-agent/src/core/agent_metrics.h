// The agent's Prometheus families (DESIGN.md §5, names fixed), built from a snapshot of its
// state. Pure: prometheus::MetricFamily is a plain struct; the HTTP side
// (base/metrics_http_server.h) only serves what is built here.
//
//   lvs_agent_up                                   1 while the agent runs
//   lvs_agent_vip_present{vip}                     1 if the VIP is on the VIP device
//   lvs_agent_arp_requests_dropped_total{vip}      ARP requests for the VIP dropped by nftables
//   lvs_agent_sysctl_compliant{name,interface}     1 if net.ipv4.conf.<interface>.<name> holds
//                                                  the configured value
//   lvs_agent_drift_repairs_total{kind}            repairs after start-up; kind = vip | sysctl |
//                                                  nft_table (every kind exported, 0 included)
//   lvs_agent_nft_table_verified                   1 if the nftables table was verified (extra)
//   lvs_agent_healthy                              1 when /healthz answers 200 (extra)
#pragma once

#include <prometheus/metric_family.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/drift_plan.h"

namespace lvs::agent {

struct AgentMetricsInput {
  const DesiredState* desired = nullptr;
  const ObservedState* observed = nullptr;
  std::map<Ipv4, std::uint64_t> arp_requests_dropped;  // accumulated (CounterAccumulator)
  std::map<RepairKind, std::uint64_t> repairs;
  bool healthy = false;
};

std::vector<prometheus::MetricFamily> build_agent_metrics(const AgentMetricsInput& input);

}  // namespace lvs::agent
