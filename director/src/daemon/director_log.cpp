#include "daemon/director_log.h"

#include <cstdio>
#include <string>

#include "daemon/log_rate_limiter.h"

namespace lvs {

void director_log(const std::string& line) {
  std::fprintf(stderr, "lvs-director: %s\n", line.c_str());
}

namespace {

LogRateLimiter& arp_limiter() {
  static LogRateLimiter limiter;  // one, as net_ratelimit()'s state is one
  return limiter;
}

void log_suppressed(std::uint64_t suppressed) {
  if (suppressed != 0)
    director_log("neigh: " + std::to_string(suppressed) + " messages suppressed");
}

}  // namespace

bool director_log_ratelimit_pass(TimeMs now) {
  const LogRateLimiter::Decision d = arp_limiter().allow(now);
  log_suppressed(d.suppressed);
  return d.emit;
}

bool director_log_ratelimited(const std::string& line, TimeMs now) {
  if (!director_log_ratelimit_pass(now)) return false;
  director_log(line);
  return true;
}

void director_log_ratelimit_flush(TimeMs now) { log_suppressed(arp_limiter().flush(now)); }

std::uint64_t director_log_suppressed() { return arp_limiter().suppressed_total(); }

void log_apply_report(const ApplyReport& report, const NeighbourTable& neighbours) {
  for (const auto& line : report.commands) director_log(line);
  for (const auto& w : report.warnings) director_log("warning: " + w);
  for (const auto& [ip, entry] : neighbours.entries()) {
    director_log("neigh " + format_ipv4(ip) + " lladdr " + format_mac(entry.lladdr) + " " +
                 std::string(nud_state_name(entry.state)));
  }
}

}  // namespace lvs
