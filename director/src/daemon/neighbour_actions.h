// What the neighbour table asks for, carried out (neigh/neighbour_events.h): after every call
// into the core that can ask — a batch of packets, received ARP, the neighbour timer, the
// periodic tick, a reload, `lvsadm neigh add` — the caller runs execute(), which
//   - sends the ARP requests on the resolver's socket (io/arp_socket.h),
//   - forwards the packets a resolution released, in order, through the Forwarder,
//   - logs resolutions, failures, MAC changes and suspected spoofs,
//   - applies the dead-host policy (balancer/dead_host_policy.h) and logs what it changed,
//   - re-arms the neighbour timer at the table's next deadline.
// The events buffer is one, reused: nothing is allocated per packet or per event (log lines
// aside, which only state changes produce).
#pragma once

#include "balancer/balancer.h"
#include "balancer/forwarder.h"
#include "base/timers.h"
#include "io/arp_socket.h"
#include "neigh/neighbour_events.h"

namespace lvs {

class NeighbourActions {
 public:
  NeighbourActions(Balancer& balancer, io::ArpSocket& arp, Forwarder& forwarder,
                   base::DeadlineTimer& timer)
      : balancer_(balancer), arp_(arp), forwarder_(forwarder), timer_(timer) {
    events_.reserve(64);
  }

  // Where the core appends what it asks for.
  NeighbourEvents& events() { return events_; }
  // Carries out and clears the events (see above).
  void execute();

 private:
  Balancer& balancer_;
  io::ArpSocket& arp_;
  Forwarder& forwarder_;
  base::DeadlineTimer& timer_;
  NeighbourEvents events_;
};

}  // namespace lvs
