// What the running director can and cannot do with a configuration, decided before anything
// is touched: refusals at start-up and at reload (the interface, queue range, metrics address,
// vip-mode and, in managed mode, the set of VIPs are taken once at start; changing them needs a
// restart).
#pragma once

#include <string>
#include <vector>

#include "config/model.h"

namespace lvs {

// The VIPs a `vip-mode: managed` director claims: every tcp/udp service's VIP (fwmark services
// have none), sorted, each once.
std::vector<Ipv4> managed_vips_of(const config::DirectorConfig& config);

// Reasons the director cannot start with `config` (empty: it can).
std::vector<std::string> startup_refusals(const config::DirectorConfig& config);

// Reasons a SIGHUP reload from `running` to `next` is refused (empty: apply it).
std::vector<std::string> reload_refusals(const config::DirectorConfig& running,
                                         const config::DirectorConfig& next);

}  // namespace lvs
