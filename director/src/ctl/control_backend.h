// What the control server needs from the running director, and nothing more: the narrow
// interface between the protocol (ctl/control_dispatch.h) and the daemon, which implements it
// (daemon/director_control.h). Tests implement it with fixed answers.
#pragma once

#include <string>
#include <vector>

#include "config/net_address.h"
#include "ctl/snapshot.h"
#include "neigh/nud_state.h"

namespace lvs::ctl {

class ControlBackend {
 public:
  virtual ~ControlBackend() = default;

  // LIST: services, destinations, counters, rates and timeouts now (no connections).
  virtual Snapshot list() = 0;
  // LIST-CONNECTIONS: the same with the connection table, copied now (one entry per
  // connection: the costly one).
  virtual Snapshot list_connections() = 0;
  // The timeouts alone, for the info record of the answers that carry nothing else.
  virtual Timeouts timeouts() = 0;

  // NEIGH-SHOW: the neighbour table, sorted by IP.
  virtual std::vector<NeighbourSnapshot> neighbours() = 0;
  // NEIGH-FLUSH / NEIGH-ADD / NEIGH-DEL: empty on success, else the one-line reason nothing
  // changed ("neigh del 10.200.0.11: no such entry").
  virtual std::string neigh_flush() = 0;
  virtual std::string neigh_add(Ipv4 ip, const MacAddress& lladdr, NudState state) = 0;
  virtual std::string neigh_del(Ipv4 ip) = 0;

  // The services' VIPs, which NEIGH-ADD refuses as neighbours (config/neighbour_entry.h). From
  // list() unless the backend knows them more cheaply; NEIGH-ADD is rare.
  virtual std::vector<Ipv4> vips() {
    std::vector<Ipv4> out;
    for (const ServiceSnapshot& s : list().services) {
      if (s.key.protocol != config::ServiceProtocol::Fwmark) out.push_back(s.key.vip.addr);
    }
    return out;
  }
};

}  // namespace lvs::ctl
