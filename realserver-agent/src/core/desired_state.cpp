#include "core/desired_state.h"

namespace lvs::agent {

std::string SysctlSetting::sysctl_name() const { return "net.ipv4.conf." + interface + "." + name; }

std::string SysctlSetting::proc_path() const {
  return "/proc/sys/net/ipv4/conf/" + interface + "/" + name;
}

DesiredState desired_state_for(const config::AgentConfig& config) {
  DesiredState d;
  d.vips = config.vips;
  d.vip_device = config.vip_device;
  std::vector<std::string> interfaces{"all"};
  for (const auto& i : config.interfaces) {
    if (i != "all") interfaces.push_back(i);
  }
  for (const auto& i : interfaces) {
    d.sysctls.push_back({i, "arp_ignore", config.arp_ignore});
    d.sysctls.push_back({i, "arp_announce", config.arp_announce});
  }
  return d;
}

}  // namespace lvs::agent
