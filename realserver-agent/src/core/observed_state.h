// What the agent found on the host at one check: filled in by the adapters (io/), judged by the
// pure drift planner (core/drift_plan.h). Plain data.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/net_address.h"

namespace lvs::agent {

// One configured VIP found on an interface other than the VIP device (a misconfiguration: on a
// wire-facing interface the host would answer ARP for it and steal the director's traffic).
struct MisplacedVip {
  Ipv4 vip = 0;
  std::string interface;
  friend bool operator==(const MisplacedVip&, const MisplacedVip&) = default;
};

struct ObservedState {
  // Configured VIPs present as /32 on the VIP device.
  std::vector<Ipv4> vips_present;
  std::vector<MisplacedVip> vips_misplaced;
  // Current value per SysctlSetting::sysctl_name(); nullopt when unreadable (interface gone).
  std::map<std::string, std::optional<std::uint32_t>> sysctls;
  // The agent's nftables table is present and holds exactly the expected set, chains and rules.
  bool nft_table_verified = false;
  // Why it is not verified ("table arp lvs_agent is missing", ...), for logs and /healthz.
  std::string nft_problem;
  // Packets counted by each VIP's input rule since the table was (re)installed.
  std::map<Ipv4, std::uint64_t> arp_requests_dropped;
};

}  // namespace lvs::agent
