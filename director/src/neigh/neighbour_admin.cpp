#include <unordered_set>

#include "neigh/neighbour_table.h"

namespace lvs {

// What an administrator does (`ip neigh replace/del/flush`: NEIGH_UPDATE_F_ADMIN), and the
// configuration's PERMANENT entries.

bool NeighbourTable::admin_set(Ipv4 ip, const MacAddress& lladdr, NudState state, TimeMs now_ms,
                               NeighbourEvents& events) {
  if (state != NudState::Permanent && state != NudState::Noarp && state != NudState::Reachable &&
      state != NudState::Stale) {
    return false;
  }
  const Ms now = static_cast<Ms>(now_ms);
  observe(now);
  auto it = slots_.find(ip);
  Slot* s = it != slots_.end() ? &it->second : create(ip, now, state == NudState::Permanent);
  if (s == nullptr) return false;
  // `ip neigh replace`: NEIGH_UPDATE_F_ADMIN | NEIGH_UPDATE_F_OVERRIDE.
  update(ip, *s, lladdr, state, {.override_lladdr = true, .admin = true}, now, events);
  s->candidate.reset();  // the administrator decided: no change check stands
  return true;
}

bool NeighbourTable::remove(Ipv4 ip) {
  auto it = slots_.find(ip);
  if (it == slots_.end()) return false;
  erase(it);
  return true;
}

std::size_t NeighbourTable::flush(bool include_permanent) {
  std::size_t removed = 0;
  for (auto it = slots_.begin(); it != slots_.end();) {
    if (!include_permanent && it->second.entry.state == NudState::Permanent) {
      ++it;
      continue;
    }
    auto victim = it++;
    erase(victim);
    ++removed;
  }
  return removed;
}

std::size_t NeighbourTable::replace_permanent(const std::vector<PermanentNeighbour>& wanted,
                                              TimeMs now, NeighbourEvents& events) {
  std::size_t changes = 0;
  std::unordered_set<Ipv4> keep;
  for (const auto& n : wanted) {
    keep.insert(n.ip);
    const NeighbourEntry* old = find(n.ip);
    if (old == nullptr || old->state != NudState::Permanent || old->lladdr != n.lladdr) {
      admin_set(n.ip, n.lladdr, NudState::Permanent, now, events);
      ++changes;
    }
  }
  for (auto it = slots_.begin(); it != slots_.end();) {
    if (it->second.entry.state == NudState::Permanent && !keep.contains(it->first)) {
      auto victim = it++;
      erase(victim);
      ++changes;
    } else {
      ++it;
    }
  }
  return changes;
}

}  // namespace lvs
