// The service's two scheduler bits (ipvsadm -b) and ipvsadm's names for them. The kernel keeps
// the bits on every service (include/uapi/linux/ip_vs.h: IP_VS_SVC_F_SCHED1, _SCHED2); only sh
// and mh read them, and each names them its own way.
#pragma once

#include <string>
#include <string_view>

namespace lvs {

struct SchedulerFlags {
  bool fallback = false;  // IP_VS_SVC_F_SCHED1: sh-fallback / mh-fallback
  bool port = false;      // IP_VS_SVC_F_SCHED2: sh-port / mh-port
  friend bool operator==(const SchedulerFlags&, const SchedulerFlags&) = default;
};

// ipvsadm's print_sched_flags() names: "sh-fallback"/"sh-port" under sh, "mh-fallback"/"mh-port"
// under mh, "flag-1"/"flag-2" under any other scheduler.
std::string_view fallback_flag_name(std::string_view scheduler);
std::string_view port_flag_name(std::string_view scheduler);

// The set bits as ipvsadm -Ln prints them inside the parentheses: "sh-fallback,sh-port"; empty
// when neither is set.
std::string scheduler_flags_text(std::string_view scheduler, SchedulerFlags flags);

// The inverse for one name, under any scheduler's naming (the control protocol's decoder):
// true and the bit set in `flags` when `name` is one of the six names above.
bool set_scheduler_flag(std::string_view name, SchedulerFlags& flags);

}  // namespace lvs
