#include "neigh/neighbour_table.h"

#include <algorithm>
#include <random>

namespace lvs {

// The table's own bookkeeping, the packet path and reading. The rest of the class lives by idea:
// nud_machine.cpp (states, timers, updates), arp_input.cpp (received ARP), neighbour_gc.cpp
// (allocation and garbage collection), neighbour_admin.cpp (ip neigh replace/del/flush).

NeighbourTable::NeighbourTable(NeighbourParams params, RandomSource random)
    : params_(params), random_(std::move(random)) {
  if (!random_) {
    // Not in the tests' way (they inject a source); the daemon gets a real draw.
    std::random_device device;
    random_ = [engine = std::mt19937(device())]() mutable {
      return static_cast<std::uint32_t>(engine());
    };
  }
  reachable_time_ = draw_reachable_time();
  slots_.reserve(8);  // the kernel's first hash table: 8 buckets; hash_grows counts from there
}

std::uint32_t NeighbourTable::draw_reachable_time() {
  // neigh_rand_reach_time(): uniform in [base/2, base/2 + base).
  const std::uint32_t base = params_.base_reachable_time_ms;
  return base == 0 ? 0 : random_() % base + (base >> 1);
}

void NeighbourTable::set_params(const NeighbourParams& params) {
  params_ = params;
  reachable_time_ = draw_reachable_time();
}

void NeighbourTable::observe(Ms now) {
  if (!next_periodic_) {
    // neigh_table_init(): the first periodic work after one reachable time.
    next_periodic_ = now + reachable();
    last_rand_ = now;
  }
}

void NeighbourTable::set_state(Slot& s, NudState state) {
  const NudState old = s.entry.state;
  if (old == state) return;
  if (old == NudState::Permanent) --permanent_entries_;
  if (state == NudState::Permanent) ++permanent_entries_;
  s.entry.state = state;
}

std::uint32_t NeighbourTable::max_probes(NudState state) const {
  // neigh_max_probes()
  return params_.ucast_solicit + params_.app_solicit +
         (state == NudState::Probe ? params_.mcast_resolicit : params_.mcast_solicit);
}

const MacAddress* NeighbourTable::lookup(Ipv4 ip) {
  ++stats_.lookups;
  auto it = slots_.find(ip);
  if (it == slots_.end() || !nud_valid(it->second.entry.state)) return nullptr;
  ++stats_.hits;
  return &it->second.entry.lladdr;
}

Resolution NeighbourTable::resolve(Ipv4 ip, TimeMs now_ms, NeighbourEvents& events,
                                   std::span<const std::uint8_t> packet) {
  const Ms now = static_cast<Ms>(now_ms);
  ++stats_.lookups;
  auto it = slots_.find(ip);
  // Fast path: one lookup, no allocation (neigh_event_send()'s inline check).
  if (it != slots_.end()) {
    Slot& s = it->second;
    s.used = now;
    const NudState state = s.entry.state;
    if (nud_connected(state) || state == NudState::Delay || state == NudState::Probe) {
      ++stats_.hits;
      return {&s.entry.lladdr, ResolveStatus::Usable};
    }
  }
  observe(now);
  Slot* slot = it != slots_.end() ? &it->second : create(ip, now, false);
  if (slot == nullptr) {
    if (!packet.empty()) ++stats_.unres_drops;
    return {nullptr, ResolveStatus::TableFull};
  }
  Slot& s = *slot;
  s.used = now;
  // __neigh_event_send()
  const NudState state = s.entry.state;
  if (state != NudState::Stale && state != NudState::Incomplete) {  // NONE or FAILED
    if (params_.mcast_solicit + params_.app_solicit == 0) {
      set_state(s, NudState::Failed);
      s.updated = now;
      if (!packet.empty()) ++stats_.unres_drops;
      return {nullptr, ResolveStatus::Failed};
    }
    s.probes = params_.ucast_solicit;  // so the solicits are broadcasts
    set_state(s, NudState::Incomplete);
    s.updated = now;
    s.timer_armed = true;
    s.timer_due = now + std::max<Ms>(params_.retrans_time_ms, kHz100Ms);
    if (!packet.empty())
      stats_.unres_discards += s.queue.push(packet, params_.unres_qlen, params_.unres_qlen_bytes);
    probe(ip, s, events);  // the immediate first request
    return {nullptr, ResolveStatus::Pending};
  }
  if (state == NudState::Stale) {
    set_state(s, NudState::Delay);
    s.updated = now;
    s.timer_armed = true;
    s.timer_due = now + params_.delay_first_probe_time_ms;
    ++stats_.hits;
    return {&s.entry.lladdr, ResolveStatus::Usable};
  }
  // INCOMPLETE: wait with the others.
  if (!packet.empty()) {
    stats_.unres_discards += s.queue.push(packet, params_.unres_qlen, params_.unres_qlen_bytes);
  }
  return {nullptr, ResolveStatus::Pending};
}

// --- dead hosts ---

bool NeighbourTable::is_failed(Ipv4 ip) const {
  return std::find(failed_.begin(), failed_.end(), ip) != failed_.end();
}

bool NeighbourTable::mark_failed(Ipv4 ip) {
  if (is_failed(ip)) return false;
  failed_.push_back(ip);
  ++failed_generation_;
  return true;
}

bool NeighbourTable::clear_failed(Ipv4 ip) {
  const auto erased = std::erase(failed_, ip);
  if (erased != 0) ++failed_generation_;
  return erased != 0;
}

const NeighbourEntry* NeighbourTable::find(Ipv4 ip) const {
  auto it = slots_.find(ip);
  return it == slots_.end() ? nullptr : &it->second.entry;
}

std::vector<std::pair<Ipv4, NeighbourEntry>> NeighbourTable::entries() const {
  std::vector<std::pair<Ipv4, NeighbourEntry>> out;
  out.reserve(slots_.size());
  for (const auto& [ip, s] : slots_) out.emplace_back(ip, s.entry);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

std::size_t NeighbourTable::queued(Ipv4 ip) const {
  auto it = slots_.find(ip);
  return it == slots_.end() ? 0 : it->second.queue.size();
}

std::uint32_t NeighbourTable::probes(Ipv4 ip) const {
  auto it = slots_.find(ip);
  return it == slots_.end() ? 0 : it->second.probes;
}

}  // namespace lvs
