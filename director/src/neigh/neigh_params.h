// The neighbour table's tunables: struct neigh_parms plus the table-wide gc_thresh*, with the
// kernel's names (net.ipv4.neigh.default.*) and its IPv4 defaults, in milliseconds. The defaults
// were checked against a running 6.x kernel's /proc/sys/net/ipv4/neigh/default and against
// arp_tbl in net/ipv4/arp.c; where they differ from the lecture's era it is said below.
#pragma once

#include <cstdint>

#include "config/model.h"

namespace lvs {

struct NeighbourParams {
  // Reachable time is drawn in [base/2, 3*base/2) (neigh_rand_reach_time()) and re-drawn every
  // 300 s by the periodic work, and whenever the parameters are replaced.
  std::uint32_t base_reachable_time_ms = 30000;
  std::uint32_t retrans_time_ms = 1000;            // between solicitations
  std::uint32_t delay_first_probe_time_ms = 5000;  // DELAY -> PROBE
  std::uint32_t gc_stale_time_ms = 60000;          // unused this long -> collectable
  std::uint32_t locktime_ms = 1000;   // a different lladdr within this of the last update loses
  std::uint32_t ucast_solicit = 3;    // unicast probes in PROBE
  std::uint32_t mcast_solicit = 3;    // broadcast requests in INCOMPLETE
  std::uint32_t app_solicit = 0;      // arpd requests (netlink); we have no arpd: keep 0
  std::uint32_t mcast_resolicit = 0;  // broadcasts after the unicast probes run out in PROBE
  // Packets queued per unresolved entry. Current kernels limit by bytes (unres_qlen_bytes, 212992;
  // the unres_qlen sysctl then reads 101); the lecture's era limited to 3 packets, which is the
  // config default (DESIGN.md §3). Both limits apply here; the oldest packet is dropped first.
  std::uint32_t unres_qlen = 3;
  std::uint32_t unres_qlen_bytes = 212992;
  // Table-wide (neigh_table, not neigh_parms). Periodic GC does nothing below gc_thresh1; above
  // gc_thresh2 a new entry triggers a forced GC at most every 5 s; gc_thresh3 is the hard limit.
  std::uint32_t gc_thresh1 = 128;
  std::uint32_t gc_thresh2 = 512;
  std::uint32_t gc_thresh3 = 1024;
  // arp_accept: 0 (default) never creates entries from unsolicited replies or gratuitous ARP;
  // 1 does. (Linux's 2, "only from the same subnet", needs the interface's prefixes: not here.)
  std::uint32_t arp_accept = 0;
  // gc_interval (30 s) is not a field: mainline ignores it too; the periodic work runs every
  // base_reachable_time/2 (neigh_periodic_work()).
};

// The config's `neighbour:` block (DESIGN.md §3) over the kernel defaults for the keys it lacks.
NeighbourParams neighbour_params(const config::NeighbourConfig& config);

}  // namespace lvs
