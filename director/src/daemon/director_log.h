// The director's log: one line per event on standard error, "lvs-director: " first, which
// systemd's journal and the lab's log files take as they are.
#pragma once

#include <string>

#include "balancer/balancer.h"

namespace lvs {

void director_log(const std::string& line);

// What Balancer::apply() did (the ipvsadm commands, warnings prefixed "warning: "), then every
// neighbour entry ("neigh IP lladdr MAC STATE"): at start-up and after each reload.
void log_apply_report(const ApplyReport& report, const NeighbourTable& neighbours);

}  // namespace lvs
