#include "core/drift_plan.h"

#include <algorithm>
#include <array>

namespace lvs::agent {

std::string_view to_string(RepairKind kind) {
  // In enum order (the metric label values of lvs_agent_drift_repairs_total{kind}).
  constexpr std::array<std::string_view, 3> kNames = {"vip", "sysctl", "nft_table"};
  static_assert(static_cast<std::size_t>(RepairKind::NftTable) + 1 == kNames.size());
  const auto i = static_cast<std::size_t>(kind);
  return i < kNames.size() ? kNames[i] : "unknown";
}

namespace {

bool contains(const std::vector<Ipv4>& v, Ipv4 a) {
  return std::find(v.begin(), v.end(), a) != v.end();
}

}  // namespace

RepairPlan plan_repairs(const DesiredState& desired, const ObservedState& observed) {
  RepairPlan plan;
  for (const auto& s : desired.sysctls) {
    auto it = observed.sysctls.find(s.sysctl_name());
    if (it == observed.sysctls.end() || !it->second) continue;  // unreadable: see header
    if (*it->second != s.value) plan.sysctls_to_set.push_back(s);
  }
  plan.reinstall_nft_table = !observed.nft_table_verified;
  for (Ipv4 vip : desired.vips) {
    if (!contains(observed.vips_present, vip)) plan.vips_to_add.push_back(vip);
  }
  return plan;
}

HealthReport assess_health(const DesiredState& desired, const ObservedState& observed) {
  HealthReport r;
  for (Ipv4 vip : desired.vips) {
    if (!contains(observed.vips_present, vip)) {
      r.problems.push_back("VIP " + format_ipv4(vip) + " is not on " + desired.vip_device);
    }
  }
  for (const auto& m : observed.vips_misplaced) {
    r.problems.push_back("VIP " + format_ipv4(m.vip) + " is also on " + m.interface +
                         " (a non-loopback interface: it answers ARP there)");
  }
  for (const auto& s : desired.sysctls) {
    auto it = observed.sysctls.find(s.sysctl_name());
    if (it == observed.sysctls.end() || !it->second) {
      r.problems.push_back(s.sysctl_name() + " cannot be read (does the interface exist?)");
    } else if (*it->second != s.value) {
      r.problems.push_back(s.sysctl_name() + " is " + std::to_string(*it->second) + ", expected " +
                           std::to_string(s.value));
    }
  }
  if (!observed.nft_table_verified) {
    r.problems.push_back(observed.nft_problem.empty() ? "nftables table not verified"
                                                      : observed.nft_problem);
  }
  r.healthy = r.problems.empty();
  return r;
}

}  // namespace lvs::agent
