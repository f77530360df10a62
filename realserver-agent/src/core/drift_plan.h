// Drift detection: desired state vs what a check observed → what to repair and whether the host
// is healthy. Pure; the daemon applies the plan through the adapters and counts each repair by
// kind (lvs_agent_drift_repairs_total{kind}).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/desired_state.h"
#include "core/observed_state.h"

namespace lvs::agent {

enum class RepairKind { Vip, Sysctl, NftTable };
inline constexpr RepairKind kAllRepairKinds[] = {RepairKind::Vip, RepairKind::Sysctl,
                                                 RepairKind::NftTable};
// "vip", "sysctl", "nft_table": the metric's `kind` label.
std::string_view to_string(RepairKind kind);

struct RepairPlan {
  // Applied in this order, so that no moment exists where a VIP is local but ARP is not
  // suppressed: sysctls first, then the nft table, then the missing VIPs.
  std::vector<SysctlSetting> sysctls_to_set;
  bool reinstall_nft_table = false;
  std::vector<Ipv4> vips_to_add;

  bool empty() const {
    return sysctls_to_set.empty() && !reinstall_nft_table && vips_to_add.empty();
  }
};

// Unreadable sysctls (the interface is gone) are not planned: writing would fail the same way;
// they make the host unhealthy instead. Misplaced VIPs are never touched (not ours to remove).
RepairPlan plan_repairs(const DesiredState& desired, const ObservedState& observed);

struct HealthReport {
  bool healthy = false;
  std::vector<std::string> problems;  // one line each, empty when healthy
};

// Healthy = every VIP present on the VIP device, on no other interface, every sysctl at its
// value, and the nft table verified. This is what /healthz answers 200 for.
HealthReport assess_health(const DesiredState& desired, const ObservedState& observed);

}  // namespace lvs::agent
