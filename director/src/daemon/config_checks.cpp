#include "daemon/config_checks.h"

namespace lvs {

namespace {

std::string queue_range(const config::DirectorSettings& d) {
  return d.queue_first == d.queue_last
             ? std::to_string(d.queue_first)
             : std::to_string(d.queue_first) + "-" + std::to_string(d.queue_last);
}

}  // namespace

std::vector<std::string> startup_refusals(const config::DirectorConfig& config) {
  std::vector<std::string> out;
  if (config.director.vip_mode != config::VipMode::External) {
    out.push_back(
        "director.vip-mode: managed is not supported yet (the director does not add the VIP, "
        "probe it or announce it); configure the VIP yourself and set `vip-mode: external`");
  }
  return out;
}

std::vector<std::string> reload_refusals(const config::DirectorConfig& running,
                                         const config::DirectorConfig& next) {
  std::vector<std::string> out = startup_refusals(next);
  if (next.director.interface != running.director.interface) {
    out.push_back("director.interface: changed from " + running.director.interface + " to " +
                  next.director.interface +
                  "; the interface is opened at start, restart to change it");
  }
  if (next.director.queue_first != running.director.queue_first ||
      next.director.queue_last != running.director.queue_last) {
    out.push_back("director.queue: changed from " + queue_range(running.director) + " to " +
                  queue_range(next.director) +
                  "; queues are bound at start, restart to change them");
  }
  // The HTTP listener would have to be stopped (up to 2 s in civetweb) inside the event loop.
  if (next.director.metrics != running.director.metrics) {
    out.push_back("director.metrics: changed from " + running.director.metrics + " to " +
                  next.director.metrics +
                  "; the metrics endpoint is opened at start, restart to change it");
  }
  return out;
}

}  // namespace lvs
