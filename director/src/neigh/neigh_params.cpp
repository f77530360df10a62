#include "neigh/neigh_params.h"

namespace lvs {

NeighbourParams neighbour_params(const config::NeighbourConfig& config) {
  NeighbourParams p;
  p.base_reachable_time_ms = config.base_reachable_time_ms;
  p.retrans_time_ms = config.retrans_time_ms;
  p.delay_first_probe_time_ms = config.delay_first_probe_time_s * 1000;
  p.gc_stale_time_ms = config.gc_stale_time_s * 1000;
  p.ucast_solicit = config.ucast_solicit;
  p.mcast_solicit = config.mcast_solicit;
  p.unres_qlen = config.unres_qlen;
  p.gc_thresh1 = config.gc_thresh1;
  p.gc_thresh2 = config.gc_thresh2;
  p.gc_thresh3 = config.gc_thresh3;
  return p;
}

}  // namespace lvs
