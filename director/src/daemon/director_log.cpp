#include "daemon/director_log.h"

#include <cstdio>

namespace lvs {

void director_log(const std::string& line) {
  std::fprintf(stderr, "lvs-director: %s\n", line.c_str());
}

void log_apply_report(const ApplyReport& report, const NeighbourTable& neighbours) {
  for (const auto& line : report.commands) director_log(line);
  for (const auto& w : report.warnings) director_log("warning: " + w);
  for (const auto& [ip, entry] : neighbours.entries()) {
    director_log("neigh " + format_ipv4(ip) + " lladdr " + format_mac(entry.lladdr) + " " +
                 std::string(nud_state_name(entry.state)));
  }
}

}  // namespace lvs
