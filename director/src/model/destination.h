// A real server as a virtual service holds it: IPVS's struct ip_vs_dest. Plain data; the
// counters are changed only through VirtualService (bind/unbind/set_active), which keeps the
// overload flag as ip_vs_bind_dest()/ip_vs_unbind_dest() do and tells the scheduler.
#pragma once

#include <cstdint>

#include "config/net_address.h"
#include "model/rate_estimator.h"
#include "model/traffic_stats.h"

namespace lvs {

class VirtualService;

struct Destination {
  // The service this destination belongs to (ip_vs_dest.svc): connections reach the service's
  // counters and scheduler through it, so a connection needs only one pointer.
  VirtualService* service = nullptr;
  Endpoint address;         // real server IP:port (host order)
  std::int32_t weight = 1;  // 0 = quiesced: never chosen for new connections
  // ip_vs_dest.last_weight (__ip_vs_update_dest()): the weight given at -a, then the latest
  // non-zero weight given by -e. mh builds its table from it, so a server quiesced to 0 keeps its
  // slots (and a scheduler bound later, ipvsadm -E -s mh, still sees the older weight).
  std::int32_t last_weight = 1;
  std::uint32_t u_threshold = 0;  // 0 = no upper connection limit
  std::uint32_t l_threshold = 0;

  std::uint32_t activeconns = 0;   // TCP connections in ESTABLISHED
  std::uint32_t inactconns = 0;    // every other connection (all UDP ones)
  std::uint32_t persistconns = 0;  // persistence templates bound to this server

  // IP_VS_DEST_F_AVAILABLE: linked in its service's list. False while deleted ("in the trash"),
  // where connections and lblc entries may still point at it; re-adding revives it.
  bool available = true;
  // IP_VS_DEST_F_OVERLOAD: set by the u/l thresholds; skipped by the schedulers.
  bool overloaded = false;
  // Its neighbour entry is FAILED: a dead host (arpd's notion, issue 5). Every scheduler skips it
  // for new connections as it skips an overloaded one; existing connections keep it. Changed
  // only through VirtualService::set_dead(), which tells the scheduler.
  bool dead = false;
  // What the schedulers test where IPVS tests IP_VS_DEST_F_OVERLOAD.
  bool blocked() const { return overloaded || dead; }

  // Position key in the kernel's list: a destination (re)linked later gets a larger value and
  // sits nearer the head, so "first in list order" means "largest list_seq".
  std::uint64_t list_seq = 0;

  // Free for the service's scheduler (e.g. its heap index); reset to kNoSlot when linked.
  static constexpr std::uint32_t kNoSlot = 0xffffffffu;
  std::uint32_t sched_slot = kNoSlot;
  // A second scheduler-private bit (lblc/lblcr: counted as "active*2 < weight").
  bool sched_mark = false;

  // Owners other than the service list (connections, templates, lblc entries); a deleted
  // destination is freed only when this reaches 0, lazily (VirtualService::expire()): the
  // caller of release() may still be looking at the object.
  std::uint32_t refcnt = 0;
  void hold() { ++refcnt; }
  void release() { --refcnt; }

  // Statistics (ipvsadm --stats): conns counts connections bound (not templates).
  TrafficStats stats;
  // ipvsadm --rate: stepped by RateSampler while linked, kept in the trash (ip_vs_dest.stats.est).
  RateEstimator estimator;

  // ip_vs_dest_conn_overhead(): active connections weigh 256 inactive ones.
  std::uint32_t overhead() const { return (activeconns << 8) + inactconns; }
  // ip_vs_dest_totalconns()
  std::uint32_t totalconns() const { return activeconns + inactconns; }
};

}  // namespace lvs
