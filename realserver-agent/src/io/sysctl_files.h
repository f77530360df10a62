// Reads and writes net.ipv4.conf.<interface>.arp_* through /proc/sys (the values are per network
// namespace: /proc/sys/net follows the namespace of the process that opens it).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/desired_state.h"

namespace lvs::agent {

// nullopt when the file cannot be read (no such interface) or does not hold a number.
std::optional<std::uint32_t> read_sysctl(const SysctlSetting& setting);
// Writes setting.value; an error names the sysctl and the reason.
std::optional<std::string> write_sysctl(const SysctlSetting& setting);
// Writes `value` instead of setting.value (cleanup restores originals).
std::optional<std::string> write_sysctl_value(const SysctlSetting& setting, std::uint32_t value);

}  // namespace lvs::agent
