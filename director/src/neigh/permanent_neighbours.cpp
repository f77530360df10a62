#include "neigh/permanent_neighbours.h"

#include <algorithm>

namespace lvs {

std::vector<PermanentNeighbour> permanent_neighbours(const config::DirectorConfig& config,
                                                     std::vector<std::string>& warnings) {
  std::vector<PermanentNeighbour> out;
  for (const auto& svc : config.services) {
    for (const auto& rs : svc.real_servers) {
      if (!rs.mac) continue;
      auto same_ip = std::find_if(out.begin(), out.end(), [&](const PermanentNeighbour& n) {
        return n.ip == rs.address.addr;
      });
      if (same_ip == out.end()) {
        out.push_back({rs.address.addr, *rs.mac});
      } else if (same_ip->lladdr != *rs.mac) {
        warnings.push_back("real server " + format_ipv4(rs.address.addr) + " has mac " +
                           format_mac(*rs.mac) + " in " + svc.key.to_string() +
                           " but an earlier service gives " + format_mac(same_ip->lladdr) +
                           "; using " + format_mac(same_ip->lladdr));
      }
    }
  }
  return out;
}

}  // namespace lvs
