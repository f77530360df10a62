// The counters in one log line (SIGUSR1, and once more at exit): received, forwarded, accepted,
// sent, connections, every drop reason and send error that is not 0, verdicts, ARP, the
// neighbour table's failure counters, netlink errors and the kernel's per-queue drops. For an
// operator without Prometheus at hand; the metrics carry the same figures.
#pragma once

#include <string>

#include "balancer/balancer.h"
#include "daemon/director_io.h"

namespace lvs {

std::string counter_log_line(const Balancer& balancer, const DirectorIo& io);

}  // namespace lvs
