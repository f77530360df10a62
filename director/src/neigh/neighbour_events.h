// What the neighbour table asks its owner to do, or tells it. The table is pure: it never sends,
// logs or sleeps; every call that can change something appends events to a NeighbourEvents the
// caller passes in and then executes (the daemon: send ARP frames on its AF_PACKET socket,
// forward the released packets, log, mark dead hosts). Events come out in the order the kernel
// would have acted.
#pragma once

#include <cstddef>
#include <optional>
#include <variant>
#include <vector>

#include "config/net_address.h"
#include "neigh/nud_state.h"
#include "neigh/unresolved_queue.h"

namespace lvs {

// arp_solicit(): send an ARP request for `target`. Broadcast (`unicast_to` empty) while
// INCOMPLETE; unicast to the cached lladdr while PROBE. The sender IP is the caller's choice
// (arp_announce=2: the interface's primary address); target hardware address zero.
struct SolicitRequest {
  Ipv4 target = 0;
  std::optional<MacAddress> unicast_to;
};

// An entry became usable (from INCOMPLETE, FAILED or NONE): forward `packets` (queued while it
// was unresolved, oldest first; possibly none) to `lladdr`. `was_failed` marks a dead host coming
// back.
struct NeighbourResolved {
  Ipv4 ip = 0;
  MacAddress lladdr{};
  std::vector<PendingPacket> packets;
  bool was_failed = false;
};

// Resolution failed (INCOMPLETE or PROBE ran out of solicitations: neigh_invalidate()). The
// `dropped` queued packets are gone; the kernel would have sent ICMP host-unreachable for each.
struct NeighbourFailed {
  Ipv4 ip = 0;
  std::size_t dropped = 0;
  NudState from = NudState::Incomplete;  // Incomplete or Probe
  bool already_dead = false;  // it was a dead host before this round (a re-probe that failed)
};

// arpwatch "changed ethernet address": an entry's lladdr was replaced by ARP.
struct LladdrChanged {
  Ipv4 ip = 0;
  MacAddress old_lladdr{};
  MacAddress new_lladdr{};
};

// A received ARP claims `ip` is at `claimed`, but the table will not believe it.
struct PossibleSpoof {
  enum class Reason : std::uint8_t {
    PermanentConflict,  // the entry is PERMANENT (or NOARP) with another lladdr: never changed
    FlipFlop,           // another lladdr within locktime of the last update: the first one wins
    ChangeUnconfirmed,  // a wanted address: a change check runs, or the old MAC answered one
                        // within base_reachable_time (neighbour_table.h, "Hardening")
  };
  Ipv4 ip = 0;
  MacAddress cached{};
  MacAddress claimed{};
  Reason reason = Reason::PermanentConflict;
};

// A change check of a wanted address's MAC (neighbour_table.h, "Hardening"): started (the old
// MAC is being probed, traffic stays on it), rejected (the old MAC answered) or accepted (it
// stayed silent for `probes` probes; an LladdrChanged event follows).
struct LladdrChangeCheck {
  enum class Outcome : std::uint8_t { Started, Rejected, Accepted };
  Ipv4 ip = 0;
  MacAddress current{};
  MacAddress claimed{};
  Outcome outcome = Outcome::Started;
  std::uint32_t probes = 0;  // probes sent to the old MAC so far
};

using NeighbourEvent = std::variant<SolicitRequest, NeighbourResolved, NeighbourFailed,
                                    LladdrChanged, PossibleSpoof, LladdrChangeCheck>;
using NeighbourEvents = std::vector<NeighbourEvent>;

}  // namespace lvs
