#include <algorithm>
#include <utility>
#include <vector>

#include "neigh/neighbour_table.h"

namespace lvs {

// Allocation and garbage collection (neigh_alloc(), neigh_forced_gc(), neigh_periodic_work()).
// See neighbour_table.h for the thresholds and what is never collected.

NeighbourTable::Slot* NeighbourTable::create(Ipv4 ip, Ms now, bool exempt_from_gc) {
  // Hardening: a wanted address (bounded by the configuration) is never refused.
  if (!exempt_from_gc && !wanted(ip)) {
    // neigh_alloc(): PERMANENT entries are exempt and not counted (tbl->gc_entries).
    const std::size_t entries = slots_.size() - permanent_entries_;
    if (entries >= params_.gc_thresh3 ||
        (entries >= params_.gc_thresh2 && (!flushed_ || now > last_flush_ + kForcedGcSpacingMs))) {
      if (forced_gc(now) == 0 && entries >= params_.gc_thresh3) {
        ++stats_.table_fulls;
        return nullptr;
      }
    }
  }
  const std::size_t buckets = slots_.bucket_count();
  auto [it, inserted] = slots_.try_emplace(ip);
  if (slots_.bucket_count() > buckets && buckets != 0) ++stats_.hash_grows;
  Slot& s = it->second;
  if (!inserted) return &s;
  ++stats_.allocs;
  stats_.entries = slots_.size();
  s.order = next_order_++;
  s.updated = s.used = now;
  // ___neigh_create(): "confirmed long ago", so a fresh entry is not taken as reachable.
  s.confirmed = now - (Ms{params_.base_reachable_time_ms} << 1);
  return &s;
}

void NeighbourTable::erase(Slots::iterator it) {
  Slot& s = it->second;
  stats_.unres_drops += s.queue.clear();
  set_state(s, NudState::None);  // keeps permanent_entries_ and failed_generation_ right
  slots_.erase(it);
  ++stats_.destroys;
  stats_.entries = slots_.size();
}

std::size_t NeighbourTable::forced_gc(Ms now) {
  // neigh_forced_gc(): oldest first, only entries nobody holds (no timer running), remove
  // FAILED, NOARP and those not updated for 5 s, until back down to gc_thresh2.
  ++stats_.forced_gc_runs;
  const long long max_clean = static_cast<long long>(slots_.size() - permanent_entries_) -
                              static_cast<long long>(params_.gc_thresh2);
  std::vector<std::pair<std::uint64_t, Ipv4>> gc_list;
  for (const auto& [ip, s] : slots_) {
    if (s.entry.state != NudState::Permanent) gc_list.emplace_back(s.order, ip);
  }
  std::sort(gc_list.begin(), gc_list.end());
  const Ms tref = now - kForcedGcSpacingMs;
  long long shrunk = 0;
  for (const auto& [order, ip] : gc_list) {
    auto it = slots_.find(ip);
    const Slot& s = it->second;
    if (nud_in_timer(s.entry.state)) continue;  // refcnt > 1: the timer holds it
    if (in_use(ip, s)) {  // refcnt > 1: a destination or a queued packet holds it
      ++stats_.gc_skipped_in_use;
      continue;
    }
    const bool stale_update = s.updated < tref || s.updated > now;
    if (s.entry.state == NudState::Failed || s.entry.state == NudState::Noarp || stale_update) {
      erase(it);
      ++shrunk;
    }
    if (shrunk >= max_clean) break;
  }
  last_flush_ = now;
  flushed_ = true;
  return static_cast<std::size_t>(shrunk);
}

void NeighbourTable::periodic_work(Ms now) {
  // neigh_periodic_work()
  ++stats_.periodic_gc_runs;
  if (now > last_rand_ + kReachableRedrawMs) {
    last_rand_ = now;
    reachable_time_ = draw_reachable_time();
  }
  if (slots_.size() < params_.gc_thresh1) return;
  for (auto it = slots_.begin(); it != slots_.end();) {
    Slot& s = it->second;
    const NudState state = s.entry.state;
    if (state == NudState::Permanent || nud_in_timer(state) || in_use(it->first, s)) {
      ++it;
      continue;
    }
    if (s.used < s.confirmed && s.confirmed <= now) s.used = s.confirmed;
    const bool unused = !(now >= s.used && now < s.used + Ms{params_.gc_stale_time_ms});
    if (state == NudState::Failed || unused) {
      auto victim = it++;
      erase(victim);
    } else {
      ++it;
    }
  }
}

}  // namespace lvs
