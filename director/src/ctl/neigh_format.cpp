#include "ctl/neigh_format.h"

#include <algorithm>

namespace lvs::ctl {

std::string format_neigh_show(const std::vector<NeighbourSnapshot>& neighbours) {
  std::vector<const NeighbourSnapshot*> sorted;
  sorted.reserve(neighbours.size());
  for (const auto& n : neighbours) sorted.push_back(&n);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto* a, const auto* b) { return a->ip < b->ip; });
  std::string out;
  for (const NeighbourSnapshot* n : sorted) {
    out += format_ipv4(n->ip);
    if (!n->device.empty()) out += " dev " + n->device;
    if (n->lladdr) out += " lladdr " + format_mac(*n->lladdr);
    out += ' ';
    out += n->state;
    out += '\n';
  }
  return out;
}

}  // namespace lvs::ctl
