// SIGHUP: the configuration file again, all or nothing (DESIGN.md §3). In order, each step able
// to refuse before anything has changed:
//   1. parse and validate the file (config/loader.h): errors with file:line:col
//   2. what a running director cannot change (balancer/config_checks.h): interface, queues,
//      metrics address, vip-mode, managed VIPs — those need a restart
//   3. a moved control socket is bound first, so a path that cannot be used refuses the reload
//   4. the nftables rules, replaced atomically: if the kernel refuses them, nothing else changed
// and only then the core (Balancer::apply: services as -A/-E/-D/-a/-e/-d, timeouts, neighbour
// parameters and PERMANENT entries), the moved control socket swapped in, and the new
// configuration becomes the running one. A refused reload keeps the running configuration and
// says why in the log.
#pragma once

#include <string>

#include "balancer/balancer.h"
#include "config/model.h"
#include "daemon/director_io.h"
#include "daemon/neighbour_actions.h"

namespace lvs {

// Reloads `path` into `running` (replaced on success). Returns whether it was applied.
bool reload_director(const std::string& path, config::DirectorConfig& running, Balancer& balancer,
                     DirectorIo& io, NeighbourActions& neighbour_actions);

}  // namespace lvs
