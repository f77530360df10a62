#include "neigh/neighbour_table.h"

#include <algorithm>
#include <random>
#include <unordered_set>

namespace lvs {
namespace {

constexpr std::int64_t kHz100Ms = 10;                // HZ/100: the shortest timer
constexpr std::int64_t kForcedGcSpacingMs = 5000;    // 5 * HZ in neigh_alloc/neigh_forced_gc
constexpr std::int64_t kReachableRedrawMs = 300000;  // 300 * HZ in neigh_periodic_work

bool is_multicast(Ipv4 ip) { return (ip >> 28) == 0xe; }  // 224.0.0.0/4
bool is_loopback(Ipv4 ip) { return (ip >> 24) == 127; }

// What inet_addr_type() would call RTN_UNICAST for a neighbour on the link, without a routing
// table: not 0.0.0.0/8, loopback, multicast, class E or the limited broadcast.
bool is_unicast_sender(Ipv4 ip) {
  const Ipv4 first = ip >> 24;
  return first != 0 && first != 127 && first < 224;
}

// A sender MAC that can be a station: not zero and not group (multicast/broadcast) bit set.
bool is_station_mac(const MacAddress& mac) {
  if ((mac[0] & 0x01) != 0) return false;
  return std::any_of(mac.begin(), mac.end(), [](std::uint8_t b) { return b != 0; });
}

}  // namespace

std::string_view arp_verdict_name(ArpVerdict verdict) {
  switch (verdict) {
    case ArpVerdict::IgnoredTarget:
      return "ignored_target";
    case ArpVerdict::DadProbe:
      return "dad_probe";
    case ArpVerdict::IgnoredSender:
      return "ignored_sender";
    case ArpVerdict::NotCached:
      return "not_cached";
    case ArpVerdict::Created:
      return "created";
    case ArpVerdict::Updated:
      return "updated";
    case ArpVerdict::Unchanged:
      return "unchanged";
    case ArpVerdict::Refused:
      return "refused";
    case ArpVerdict::TableFull:
      return "table_full";
  }
  return "unknown";
}

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
  if (!last_now_ || now > *last_now_) last_now_ = now;
  if (!next_periodic_) {
    // neigh_table_init(): the first periodic work after one reachable time.
    next_periodic_ = now + reachable();
    last_rand_ = now;
  }
}

// --- state bookkeeping ---

void NeighbourTable::set_state(Slot& s, NudState state) {
  const NudState old = s.entry.state;
  if (old == state) return;
  if (old == NudState::Permanent) --permanent_entries_;
  if (state == NudState::Permanent) ++permanent_entries_;
  if ((old == NudState::Failed) != (state == NudState::Failed)) ++failed_generation_;
  s.entry.state = state;
}

std::uint32_t NeighbourTable::max_probes(NudState state) const {
  // neigh_max_probes()
  return params_.ucast_solicit + params_.app_solicit +
         (state == NudState::Probe ? params_.mcast_resolicit : params_.mcast_solicit);
}

NeighbourTable::Slot* NeighbourTable::create(Ipv4 ip, Ms now, bool exempt_from_gc) {
  if (!exempt_from_gc) {
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

// --- the packet path ---

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

bool NeighbourTable::is_failed(Ipv4 ip) const {
  auto it = slots_.find(ip);
  return it != slots_.end() && it->second.entry.state == NudState::Failed;
}

void NeighbourTable::probe(Ipv4 ip, Slot& s, NeighbourEvents& events) {
  // neigh_probe() -> arp_solicit(): the first ucast_solicit probes of a round are unicast to the
  // cached lladdr, the next app_solicit go to arpd (none here), the rest are broadcasts.
  const std::uint32_t probes = s.probes;
  if (probes < params_.ucast_solicit) {
    events.push_back(SolicitRequest{ip, s.entry.lladdr});
  } else if (probes - params_.ucast_solicit >= params_.app_solicit) {
    events.push_back(SolicitRequest{ip, std::nullopt});
  }
  ++s.probes;
}

void NeighbourTable::invalidate(Ipv4 ip, Slot& s, NudState from, NeighbourEvents& events) {
  // neigh_invalidate(): count the failure, drop what waited.
  ++stats_.res_failed;
  const std::size_t dropped = s.queue.clear();
  stats_.unres_drops += dropped;
  events.push_back(NeighbourFailed{ip, dropped, from});
}

// --- timers ---

void NeighbourTable::timer_fired(Ipv4 ip, Slot& s, Ms now, NeighbourEvents& events) {
  // neigh_timer_handler()
  s.timer_armed = false;
  const NudState state = s.entry.state;
  if (!nud_in_timer(state)) return;
  Ms next = now + 1000;
  const Ms delay = params_.delay_first_probe_time_ms;
  const Ms retrans = std::max<Ms>(params_.retrans_time_ms, kHz100Ms);
  if (state == NudState::Reachable) {
    if (now <= s.confirmed + reachable()) {
      next = s.confirmed + reachable();  // confirmed meanwhile: still alive
    } else if (now <= s.used + delay) {
      set_state(s, NudState::Delay);  // in use: give upper layers a chance to confirm
      s.updated = now;
      next = now + delay;
    } else {
      set_state(s, NudState::Stale);
      s.updated = now;
    }
  } else if (state == NudState::Delay) {
    if (now <= s.confirmed + delay) {
      set_state(s, NudState::Reachable);
      s.updated = now;
      next = s.confirmed + reachable();
    } else {
      set_state(s, NudState::Probe);
      s.updated = now;
      s.probes = 0;
      next = now + retrans;
    }
  } else {  // INCOMPLETE or PROBE
    next = now + retrans;
  }

  const NudState current = s.entry.state;
  if ((current == NudState::Incomplete || current == NudState::Probe) &&
      s.probes >= max_probes(current)) {
    set_state(s, NudState::Failed);
    s.updated = now;
    invalidate(ip, s, current, events);
    return;
  }
  if (nud_in_timer(current)) {
    s.timer_armed = true;
    s.timer_due = std::max(next, now + kHz100Ms);
  }
  if (current == NudState::Incomplete || current == NudState::Probe) probe(ip, s, events);
}

void NeighbourTable::run_timers(TimeMs now_ms, NeighbourEvents& events) {
  const Ms now = static_cast<Ms>(now_ms);
  observe(now);
  for (auto& [ip, s] : slots_) {
    if (s.timer_armed && s.timer_due <= now) timer_fired(ip, s, now, events);
  }
  if (now >= *next_periodic_) {
    periodic_work(now);
    // Cycle every base_reachable_time/2: entries live [base/2, 3*base/2).
    next_periodic_ = now + std::max<Ms>(params_.base_reachable_time_ms >> 1, kHz100Ms);
  }
}

std::optional<TimeMs> NeighbourTable::next_timer() const {
  if (!next_periodic_) return std::nullopt;
  Ms next = *next_periodic_;
  for (const auto& [ip, s] : slots_) {
    if (s.timer_armed) next = std::min(next, s.timer_due);
  }
  return static_cast<TimeMs>(std::max<Ms>(next, 0));
}

// --- garbage collection ---

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
    if (state == NudState::Permanent || nud_in_timer(state)) {
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

// --- updates ---

NeighbourTable::UpdateResult NeighbourTable::update(Ipv4 ip, Slot& s, const MacAddress& lladdr,
                                                    NudState new_state, UpdateFlags flags, Ms now,
                                                    NeighbourEvents& events) {
  // __neigh_update(), for updates that carry an lladdr (ARP and admin always do).
  const NudState old = s.entry.state;
  if (!flags.admin && nud_static(old)) return UpdateResult::RefusedStatic;

  if (!nud_valid(new_state)) {
    s.timer_armed = false;
    set_state(s, new_state);
    if ((old == NudState::Incomplete || old == NudState::Probe) && new_state == NudState::Failed) {
      invalidate(ip, s, old, events);
    }
    return old == new_state ? UpdateResult::Unchanged : UpdateResult::Changed;
  }

  // The kernel compares by pointer: the lladdr counts as new unless the entry was valid and
  // holds the same bytes (so INCOMPLETE -> REACHABLE always "changes" it).
  bool lladdr_new = !(nud_valid(old) && s.entry.lladdr == lladdr);
  if (nud_connected(new_state)) s.confirmed = now;

  if (nud_valid(old)) {
    if (lladdr_new && !flags.override_lladdr) {
      // (NEIGH_UPDATE_F_WEAK_OVERRIDE is IPv6-only; ARP never sets it.)
      return UpdateResult::RefusedLocktime;
    }
    if (!lladdr_new && new_state == NudState::Stale && !flags.admin) new_state = old;
  }

  if (new_state != old || lladdr_new) s.updated = now;

  if (new_state != old) {
    s.timer_armed = false;
    if (new_state == NudState::Probe) s.probes = 0;
    if (nud_in_timer(new_state)) {
      s.timer_armed = true;
      s.timer_due = now + (new_state == NudState::Reachable ? reachable() : 0);
    }
    set_state(s, new_state);
  }

  if (lladdr_new) {
    if (s.has_lladdr && s.entry.lladdr != lladdr) {
      ++stats_.lladdr_changes;
      events.push_back(LladdrChanged{ip, s.entry.lladdr, lladdr});
    }
    s.entry.lladdr = lladdr;
    s.has_lladdr = true;
    if (!nud_connected(new_state)) s.confirmed = now - (Ms{params_.base_reachable_time_ms} << 1);
  }

  if (new_state == old) return lladdr_new ? UpdateResult::Changed : UpdateResult::Unchanged;
  if (!nud_valid(old)) {
    // Resolved: release the queue in order (neigh->output for each skb).
    std::vector<PendingPacket> released = s.queue.take();
    if (!released.empty() && s.entry.state == NudState::Stale) {
      // Sending them through a STALE entry is a use: neigh_resolve_output() ->
      // neigh_event_send() moves it to DELAY, as for any other packet.
      s.used = now;
      set_state(s, NudState::Delay);
      s.timer_armed = true;
      s.timer_due = now + params_.delay_first_probe_time_ms;
    }
    events.push_back(
        NeighbourResolved{ip, s.entry.lladdr, std::move(released), old == NudState::Failed});
  }
  return UpdateResult::Changed;
}

ArpVerdict NeighbourTable::receive_arp(const ArpObservation& arp, TimeMs now_ms,
                                       NeighbourEvents& events) {
  const Ms now = static_cast<Ms>(now_ms);
  observe(now);
  // arp_process(): requests for multicast or loopback addresses are bogus.
  if (is_multicast(arp.target_ip) || is_loopback(arp.target_ip)) return ArpVerdict::IgnoredTarget;
  // Sender 0.0.0.0: RFC 5227 probe. The kernel answers it if the target is local and goes no
  // further; nothing is cached.
  if (arp.sender_ip == 0) return ArpVerdict::DadProbe;
  if (!is_unicast_sender(arp.sender_ip) || arp.sender_is_ours || !is_station_mac(arp.sender_mac)) {
    return ArpVerdict::IgnoredSender;
  }

  auto it = slots_.find(arp.sender_ip);
  Slot* s = it != slots_.end() ? &it->second : nullptr;
  NudState new_state = NudState::Stale;
  UpdateFlags flags;
  bool created = false;

  if (!arp.is_reply && arp.target_is_ours) {
    // A request for us: the sender will talk to us, cache it (neigh_event_ns(): create, STALE,
    // override regardless of locktime).
    if (arp.to_us) {
      ++stats_.rcv_probes_ucast;
    } else {
      ++stats_.rcv_probes_mcast;
    }
    if (s == nullptr) {
      s = create(arp.sender_ip, now, false);
      if (s == nullptr) return ArpVerdict::TableFull;
      created = true;
    }
    flags.override_lladdr = true;
  } else {
    // Anything else only updates what we already have, unless arp_accept allows creating from
    // unsolicited replies and gratuitous ARP.
    bool is_garp = false;
    if (s != nullptr || params_.arp_accept != 0) {
      is_garp =
          arp.sender_ip == arp.target_ip && (!arp.is_reply || arp.target_mac == arp.sender_mac);
    }
    if (s == nullptr && params_.arp_accept != 0 && (is_garp || arp.is_reply)) {
      s = create(arp.sender_ip, now, false);
      if (s == nullptr) return ArpVerdict::TableFull;
      created = true;
    }
    if (s == nullptr) return ArpVerdict::NotCached;
    // Several replies back to back (proxies): the first wins for locktime.
    flags.override_lladdr = now > s->updated + Ms{params_.locktime_ms} || is_garp;
    // Broadcast replies and requests do not assert reachability.
    if (arp.is_reply && arp.to_us) new_state = NudState::Reachable;
  }

  const MacAddress cached = s->entry.lladdr;
  switch (update(arp.sender_ip, *s, arp.sender_mac, new_state, flags, now, events)) {
    case UpdateResult::Changed:
      return created ? ArpVerdict::Created : ArpVerdict::Updated;
    case UpdateResult::Unchanged:
      return created ? ArpVerdict::Created : ArpVerdict::Unchanged;
    case UpdateResult::RefusedStatic:
      if (cached == arp.sender_mac) return ArpVerdict::Unchanged;
      ++stats_.spoof_suspects;
      events.push_back(PossibleSpoof{arp.sender_ip, cached, arp.sender_mac,
                                     PossibleSpoof::Reason::PermanentConflict});
      return ArpVerdict::Refused;
    case UpdateResult::RefusedLocktime:
      ++stats_.spoof_suspects;
      events.push_back(
          PossibleSpoof{arp.sender_ip, cached, arp.sender_mac, PossibleSpoof::Reason::FlipFlop});
      return ArpVerdict::Refused;
  }
  return ArpVerdict::Unchanged;
}

// --- administration ---

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
  return true;
}

std::size_t NeighbourTable::drop_released(const NeighbourEvents& events, std::size_t from) {
  std::size_t dropped = 0;
  for (std::size_t i = from; i < events.size(); ++i) {
    if (const auto* r = std::get_if<NeighbourResolved>(&events[i])) dropped += r->packets.size();
  }
  stats_.unres_drops += dropped;
  return dropped;
}

void NeighbourTable::set_permanent(Ipv4 ip, const MacAddress& lladdr) {
  NeighbourEvents events;
  admin_set(ip, lladdr, NudState::Permanent, static_cast<TimeMs>(last_now_.value_or(0)), events);
  drop_released(events, 0);
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

std::size_t NeighbourTable::replace_permanent(const std::vector<PermanentNeighbour>& wanted) {
  NeighbourEvents events;
  const std::size_t changes =
      replace_permanent(wanted, static_cast<TimeMs>(last_now_.value_or(0)), events);
  drop_released(events, 0);
  return changes;
}

// --- reading ---

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
