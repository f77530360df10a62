#include <algorithm>

#include "neigh/neighbour_table.h"

namespace lvs {

// The NUD state machine (net/core/neighbour.c): solicitations, invalidation, the per-entry timer
// and __neigh_update(). See neighbour_table.h for the states and transitions.

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
  const bool newly_dead = mark_failed(ip);  // a dead host until it resolves again
  events.push_back(NeighbourFailed{ip, dropped, from, !newly_dead});
}

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
    if (current == NudState::Probe && s.candidate) {
      // Hardening: the old MAC failed its probes while another MAC was claimed: the station
      // moved (change_check.cpp), it is not dead.
      s.timer_armed = false;
      accept_change(ip, s, now, events);
      return;
    }
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
    if (s.candidate && s.check_due <= now) check_timer(ip, s, now, events);
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
    if (s.candidate) next = std::min(next, s.check_due);
  }
  return static_cast<TimeMs>(std::max<Ms>(next, 0));
}

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
    const bool was_failed = clear_failed(ip);
    events.push_back(NeighbourResolved{ip, s.entry.lladdr, std::move(released), was_failed});
  }
  return UpdateResult::Changed;
}

}  // namespace lvs
