// The running director behind lvsadm: ctl::ControlBackend (ctl/control_backend.h) answered from
// the live core. Listings are copies taken now (balancer/state_snapshot.h); `lvsadm neigh`
// changes go through the neighbour table's admin calls and their events are carried out at once
// (a resolved entry releases its queued packets, a dead host returns to rotation).
#pragma once

#include <string>
#include <vector>

#include "balancer/balancer.h"
#include "ctl/control_backend.h"
#include "daemon/neighbour_actions.h"

namespace lvs {

class DirectorControl final : public ctl::ControlBackend {
 public:
  // `interface`: the device `lvsadm neigh show` names (the director has one).
  DirectorControl(Balancer& balancer, NeighbourActions& neighbour_actions, std::string interface)
      : balancer_(balancer), actions_(neighbour_actions), interface_(std::move(interface)) {}

  // --- ctl::ControlBackend ---
  ctl::Snapshot list() override;
  ctl::Snapshot list_connections() override;
  ctl::Timeouts timeouts() override;
  std::vector<ctl::NeighbourSnapshot> neighbours() override;
  std::string neigh_flush() override;
  std::string neigh_add(Ipv4 ip, const MacAddress& lladdr, NudState state) override;
  std::string neigh_del(Ipv4 ip) override;
  // From the service table itself: the default builds a whole -L snapshot (50k servers) on
  // the packet thread just to read the VIPs.
  std::vector<Ipv4> vips() override;

 private:
  Balancer& balancer_;
  NeighbourActions& actions_;
  std::string interface_;
};

}  // namespace lvs
