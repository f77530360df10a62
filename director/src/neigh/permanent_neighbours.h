// The configuration's PERMANENT neighbour entries: every real server with `mac:`.
#pragma once

#include <string>
#include <vector>

#include "config/model.h"
#include "neigh/neighbour_table.h"

namespace lvs {

// Every real server with `mac:`, once per IP. The same IP with two different MACs is a
// conflict: the first (in file order) is kept and a warning naming both is appended to
// `warnings`.
std::vector<PermanentNeighbour> permanent_neighbours(const config::DirectorConfig& config,
                                                     std::vector<std::string>& warnings);

}  // namespace lvs
