// The director's log: one line per event on standard error, "lvs-director: " first, which
// systemd's journal and the lab's log files take as they are.
#pragma once

#include <cstdint>
#include <string>

#include "balancer/balancer.h"
#include "model/time_ms.h"

namespace lvs {

void director_log(const std::string& line);

// Lines a host on the segment can cause at will (suspected spoofs, MAC change checks) go through
// one process-wide limiter, as the kernel's net_ratelimit() (daemon/log_rate_limiter.h: 10 lines
// per 5 s): the rest are counted, and "neigh: N messages suppressed" is logged when the window
// ends. Returns whether the line was written.
bool director_log_ratelimited(const std::string& line, TimeMs now);
// The limiter's decision alone (logs "N messages suppressed" first when a window has ended):
// true if a line may be written now.
bool director_log_ratelimit_pass(TimeMs now);
// As director_log_ratelimited(), building the line only when it is written (a flood's suppressed
// lines cost no formatting).
template <typename MakeLine>
bool director_log_ratelimited_lazy(TimeMs now, MakeLine&& make_line) {
  if (!director_log_ratelimit_pass(now)) return false;
  director_log(make_line());
  return true;
}
// Logs the count of a finished window nobody logged after (call now and then: NeighbourActions
// does, after every batch of events).
void director_log_ratelimit_flush(TimeMs now);
// Lines suppressed since start (lvs_log_lines_suppressed_total).
std::uint64_t director_log_suppressed();

// What Balancer::apply() did (the ipvsadm commands, warnings prefixed "warning: "), then every
// neighbour entry ("neigh IP lladdr MAC STATE"): at start-up and after each reload.
void log_apply_report(const ApplyReport& report, const NeighbourTable& neighbours);

}  // namespace lvs
