#include "neigh/neighbour_table.h"

#include <algorithm>
#include <unordered_set>

namespace lvs {

const MacAddress* NeighbourTable::lookup(Ipv4 ip) {
  ++stats_.lookups;
  auto it = entries_.find(ip);
  if (it == entries_.end() || !nud_valid(it->second.state)) return nullptr;
  ++stats_.hits;
  return &it->second.lladdr;
}

void NeighbourTable::set_permanent(Ipv4 ip, const MacAddress& lladdr) {
  auto [it, inserted] = entries_.try_emplace(ip);
  if (inserted) {
    ++stats_.allocs;
  } else if (it->second.lladdr != lladdr) {
    ++stats_.lladdr_changes;
  }
  it->second.lladdr = lladdr;
  it->second.state = NudState::Permanent;
}

bool NeighbourTable::remove(Ipv4 ip) {
  if (entries_.erase(ip) == 0) return false;
  ++stats_.destroys;
  return true;
}

std::size_t NeighbourTable::replace_permanent(const std::vector<PermanentNeighbour>& wanted) {
  std::size_t changes = 0;
  std::unordered_set<Ipv4> keep;
  for (const auto& n : wanted) {
    keep.insert(n.ip);
    const NeighbourEntry* old = find(n.ip);
    if (old == nullptr || old->state != NudState::Permanent || old->lladdr != n.lladdr) {
      set_permanent(n.ip, n.lladdr);
      ++changes;
    }
  }
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->second.state == NudState::Permanent && !keep.contains(it->first)) {
      it = entries_.erase(it);
      ++stats_.destroys;
      ++changes;
    } else {
      ++it;
    }
  }
  return changes;
}

const NeighbourEntry* NeighbourTable::find(Ipv4 ip) const {
  auto it = entries_.find(ip);
  return it == entries_.end() ? nullptr : &it->second;
}

std::vector<std::pair<Ipv4, NeighbourEntry>> NeighbourTable::entries() const {
  std::vector<std::pair<Ipv4, NeighbourEntry>> out(entries_.begin(), entries_.end());
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

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
