#include "balancer/dead_host_policy.h"

namespace lvs {
namespace {

bool configured(const ServiceTable& services, Ipv4 ip) {
  for (const auto& svc : services.services()) {
    for (const Destination* d : svc->destinations()) {
      if (d->address.addr == ip) return true;
    }
  }
  return false;
}

}  // namespace

std::vector<DeadHostPolicy::Change> DeadHostPolicy::apply(NeighbourTable& neighbours,
                                                          ServiceTable& services) {
  if (!stale_ && neighbours.failed_generation() == seen_generation_) return {};
  // A server no longer configured is no longer watched.
  neighbours.retain_failed([&](Ipv4 ip) { return configured(services, ip); });
  std::vector<Change> changes;
  for (const auto& [server, dead] :
       services.mark_dead([&](Ipv4 ip) { return neighbours.is_failed(ip); })) {
    changes.push_back({server, dead});
  }
  seen_generation_ = neighbours.failed_generation();
  stale_ = false;
  return changes;
}

void DeadHostPolicy::resolve_dead(NeighbourTable& neighbours, TimeMs now, NeighbourEvents& events) {
  if (now < next_resolve_ms_ || neighbours.failed_hosts().empty()) return;
  next_resolve_ms_ = now + kResolveIntervalMs;
  // Only the dead: the others are resolved on demand by their first packet, as Linux does. An
  // entry flushed or collected meanwhile is created again here.
  for (const Ipv4 ip : neighbours.failed_hosts()) neighbours.resolve(ip, now, events);
}

}  // namespace lvs
