// What the agent holds on a real server, derived from its config (DESIGN.md §3): the VIPs as /32
// addresses on the VIP device, the ARP sysctls on `all` and every listed interface, and the
// names of the nftables objects that drop ARP for the VIPs. Pure: no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/model.h"
#include "config/net_address.h"

namespace lvs::agent {

// One net.ipv4.conf.<interface>.<name> value the agent enforces.
struct SysctlSetting {
  std::string interface;  // "all" or an interface name
  std::string name;       // "arp_ignore" | "arp_announce"
  std::uint32_t value = 0;

  // "net.ipv4.conf.eth0.arp_ignore" (the sysctl(8) name; for logs and errors).
  std::string sysctl_name() const;
  // "/proc/sys/net/ipv4/conf/eth0/arp_ignore". Interface names may hold '.', which the file path
  // keeps literally (sysctl(8) would write it as '/'), so the path is built, not derived.
  std::string proc_path() const;
  friend bool operator==(const SysctlSetting&, const SysctlSetting&) = default;
};

// The nftables table the agent owns (family arp; see io/arp_nft_encoder.h for the rules).
struct ArpTableNames {
  std::string table = "lvs_agent";
  std::string set = "vips";
  std::string input_chain = "arp_in";
  std::string output_chain = "arp_out";
};

struct DesiredState {
  std::vector<Ipv4> vips;  // in config order, no duplicates (the loader refuses them)
  std::string vip_device;
  // `all` first, then each interface; arp_ignore before arp_announce. The kernel applies
  // max(all, interface) for both, so both must hold the value: setting only the interface would
  // be undone by nothing, but leaving `all` lower documents nothing and a later `all` reset to 0
  // must not go unnoticed either.
  std::vector<SysctlSetting> sysctls;
  ArpTableNames nft;
};

DesiredState desired_state_for(const config::AgentConfig& config);

}  // namespace lvs::agent
