#include "daemon/director_control.h"

#include "balancer/state_snapshot.h"
#include "base/timers.h"
#include "daemon/director_log.h"

namespace lvs {

ctl::Snapshot DirectorControl::list() {
  return build_state_snapshot(balancer_.services(), balancer_.dispatcher(), base::monotonic_ms(),
                              /*with_connections=*/false);
}

ctl::Snapshot DirectorControl::list_connections() {
  return build_state_snapshot(balancer_.services(), balancer_.dispatcher(), base::monotonic_ms(),
                              /*with_connections=*/true);
}

ctl::Timeouts DirectorControl::timeouts() {
  return snapshot_timeouts(balancer_.dispatcher().timeouts());
}

std::vector<Ipv4> DirectorControl::vips() {
  std::vector<Ipv4> out;
  for (const auto& svc : balancer_.services().services()) {
    if (svc->key().protocol != config::ServiceProtocol::Fwmark) out.push_back(svc->key().vip.addr);
  }
  return out;
}

std::vector<ctl::NeighbourSnapshot> DirectorControl::neighbours() {
  std::vector<ctl::NeighbourSnapshot> out;
  for (const auto& [ip, entry] : balancer_.neighbours().entries()) {
    ctl::NeighbourSnapshot n;
    n.ip = ip;
    n.device = interface_;
    // As neigh_fill_info(): the lladdr only while it may be used.
    if (nud_valid(entry.state)) n.lladdr = entry.lladdr;
    n.state = std::string(nud_state_name(entry.state));
    out.push_back(std::move(n));
  }
  return out;
}

std::string DirectorControl::neigh_flush() {
  director_log("lvsadm neigh flush: " + std::to_string(balancer_.neighbours().flush()) +
               " entries removed");
  actions_.execute();  // the timer may have nothing left to do
  return {};
}

std::string DirectorControl::neigh_add(Ipv4 ip, const MacAddress& lladdr, NudState state) {
  if (!balancer_.neighbours().admin_set(ip, lladdr, state, base::monotonic_ms(),
                                        actions_.events())) {
    return "neigh add " + format_ipv4(ip) + ": the neighbour table is full";
  }
  // Resolving an INCOMPLETE entry this way releases the packets it held (and a dead host
  // returns to rotation): the resolver's own event path does both.
  actions_.execute();
  director_log("lvsadm neigh add " + format_ipv4(ip) + " lladdr " + format_mac(lladdr) + " " +
               std::string(nud_state_name(state)));
  return {};
}

std::string DirectorControl::neigh_del(Ipv4 ip) {
  if (!balancer_.neighbours().remove(ip)) return "neigh del " + format_ipv4(ip) + ": no such entry";
  director_log("lvsadm neigh del " + format_ipv4(ip));
  actions_.execute();
  return {};
}

}  // namespace lvs
