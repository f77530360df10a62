#include "balancer/config_checks.h"

#include <algorithm>

namespace lvs {

namespace {

std::string queue_range(const config::DirectorSettings& d) {
  return d.queue_first == d.queue_last
             ? std::to_string(d.queue_first)
             : std::to_string(d.queue_first) + "-" + std::to_string(d.queue_last);
}

}  // namespace

std::vector<Ipv4> managed_vips_of(const config::DirectorConfig& config) {
  std::vector<Ipv4> out;
  for (const auto& svc : config.services) {
    if (svc.key.protocol == config::ServiceProtocol::Fwmark) continue;
    out.push_back(svc.key.vip.addr);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::string> startup_refusals(const config::DirectorConfig& config) {
  (void)config;  // every configuration the loader accepts can be started
  return {};
}

std::vector<std::string> reload_refusals(const config::DirectorConfig& running,
                                         const config::DirectorConfig& next) {
  std::vector<std::string> out = startup_refusals(next);
  if (next.director.vip_mode != running.director.vip_mode) {
    out.push_back(std::string("director.vip-mode: changed from ") +
                  (running.director.vip_mode == config::VipMode::Managed ? "managed" : "external") +
                  " to " +
                  (next.director.vip_mode == config::VipMode::Managed ? "managed" : "external") +
                  "; the VIPs are claimed or left alone at start, restart to change it");
  } else if (next.director.vip_mode == config::VipMode::Managed &&
             managed_vips_of(next) != managed_vips_of(running)) {
    // Probing a new VIP takes seconds (RFC 5227) and would stall the event loop; a restart
    // probes, adds and announces the new set and removes the old one.
    auto list = [](const std::vector<Ipv4>& vips) {
      std::string s;
      for (Ipv4 v : vips) s += (s.empty() ? "" : ",") + format_ipv4(v);
      return s.empty() ? std::string("none") : s;
    };
    out.push_back("services: the set of VIPs changed from " + list(managed_vips_of(running)) +
                  " to " + list(managed_vips_of(next)) +
                  "; with `vip-mode: managed` the VIPs are probed and added at start, restart to "
                  "change them");
  }
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
