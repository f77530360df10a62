// `lvsadm neigh show` output: the layout of `ip neigh show` (iproute2 ipneigh.c), one line per
// entry, sorted by address:
//   10.200.0.11 dev eth0 lladdr 02:00:00:00:00:0b REACHABLE
//   10.200.0.14 dev eth0 FAILED               (no lladdr outside the NUD_VALID states)
#pragma once

#include <string>
#include <vector>

#include "ctl/snapshot.h"

namespace lvs::ctl {

std::string format_neigh_show(const std::vector<NeighbourSnapshot>& neighbours);

}  // namespace lvs::ctl
