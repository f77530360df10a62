#include "sched/scheduler_flags.h"

namespace lvs {

std::string_view fallback_flag_name(std::string_view scheduler) {
  if (scheduler == "sh") return "sh-fallback";
  if (scheduler == "mh") return "mh-fallback";
  return "flag-1";
}

std::string_view port_flag_name(std::string_view scheduler) {
  if (scheduler == "sh") return "sh-port";
  if (scheduler == "mh") return "mh-port";
  return "flag-2";
}

std::string scheduler_flags_text(std::string_view scheduler, SchedulerFlags flags) {
  std::string text;
  if (flags.fallback) text += fallback_flag_name(scheduler);
  if (flags.fallback && flags.port) text += ',';
  if (flags.port) text += port_flag_name(scheduler);
  return text;
}

bool set_scheduler_flag(std::string_view name, SchedulerFlags& flags) {
  if (name == "sh-fallback" || name == "mh-fallback" || name == "flag-1") {
    flags.fallback = true;
    return true;
  }
  if (name == "sh-port" || name == "mh-port" || name == "flag-2") {
    flags.port = true;
    return true;
  }
  return false;
}

}  // namespace lvs
