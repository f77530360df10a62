// Dead hosts onto the services: the one place that turns the neighbour table's view (which real
// servers are dead: NeighbourTable::is_failed(), their ARP resolution failed and they have not
// answered since) into table state — Destination::dead, which every scheduler skips for new
// connections as it skips an overloaded server (existing connections keep theirs) — and that asks
// the dead hosts again every few seconds, so one is back in rotation as soon as it answers.
// keepalived's checkers reach the table the same way, through one function that updates a
// server's state (update_svr_checker_state()); health checks will join here.
#pragma once

#include <cstdint>
#include <vector>

#include "config/net_address.h"
#include "model/time_ms.h"
#include "neigh/neighbour_table.h"
#include "service/service_table.h"

namespace lvs {

class DeadHostPolicy {
 public:
  // How often dead hosts are asked again by ARP.
  static constexpr TimeMs kResolveIntervalMs = 5000;

  struct Change {
    Endpoint server;
    bool dead = false;  // the new mark
  };

  // The services changed (a reload): the next apply() looks at every destination again, so
  // servers just added or revived take their neighbour's fate.
  void services_changed() { stale_ = true; }

  // Marks every linked destination dead or alive as the neighbour table says, after forgetting
  // the dead hosts no real server uses any more. Returns the destinations whose mark changed,
  // for the log. Does nothing (and returns nothing) while neither the table's dead hosts nor the
  // services changed since the last call.
  std::vector<Change> apply(NeighbourTable& neighbours, ServiceTable& services);

  // Resolution, without a packet, for every dead host, so its entry asks again: at the first
  // call after a host died, then every kResolveIntervalMs while any is dead. What that asks for
  // goes into `events`.
  void resolve_dead(NeighbourTable& neighbours, TimeMs now, NeighbourEvents& events);

 private:
  bool stale_ = true;
  std::uint64_t seen_generation_ = 0;
  TimeMs next_resolve_ms_ = 0;
};

}  // namespace lvs
