// What the running director can and cannot do with a configuration, decided before anything
// is touched: refusals at start-up (vip-mode managed is the ARP issue's) and at reload (the
// interface and queue range are bound once at start; changing them needs a restart).
#pragma once

#include <string>
#include <vector>

#include "config/model.h"

namespace lvs {

// Reasons the director cannot start with `config` (empty: it can).
std::vector<std::string> startup_refusals(const config::DirectorConfig& config);

// Reasons a SIGHUP reload from `running` to `next` is refused (empty: apply it).
std::vector<std::string> reload_refusals(const config::DirectorConfig& running,
                                         const config::DirectorConfig& next);

}  // namespace lvs
