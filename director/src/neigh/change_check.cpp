#include <algorithm>

#include "neigh/neighbour_table.h"

namespace lvs {

// The director's rules on top of Linux's (neighbour_table.h, "Hardening"): the wanted set, what
// is "in use" for garbage collection, and the change check that stands between a claimed MAC
// and a wanted address's entry.

void NeighbourTable::set_wanted(const std::vector<Ipv4>& addresses) {
  restricted_ = true;
  wanted_.clear();
  wanted_.insert(addresses.begin(), addresses.end());
  for (auto& [ip, s] : slots_) {
    if (!wanted_.contains(ip)) s.candidate.reset();
  }
}

std::optional<MacAddress> NeighbourTable::change_candidate(Ipv4 ip) const {
  auto it = slots_.find(ip);
  return it == slots_.end() ? std::nullopt : it->second.candidate;
}

bool NeighbourTable::in_use(Ipv4 ip, const Slot& s) const {
  // neigh_forced_gc()/neigh_periodic_work() skip entries with refcnt > 1: in the kernel a route,
  // a socket or a queued skb holds them. Here: a configured destination (wanted), packets
  // waiting in the queue, or PERMANENT (never collected anyway).
  return s.entry.state == NudState::Permanent || !s.queue.empty() || wanted(ip);
}

ArpVerdict NeighbourTable::claim_change(Ipv4 ip, Slot& s, const MacAddress& claimed, Ms now,
                                        NeighbourEvents& events) {
  if (s.candidate || now < s.change_hold_until) {
    // A check already runs (the first claim is the one checked), or the old MAC answered one
    // recently: refuse without probing again.
    ++stats_.lladdr_claims_refused;
    ++stats_.spoof_suspects;
    events.push_back(
        PossibleSpoof{ip, s.entry.lladdr, claimed, PossibleSpoof::Reason::ChangeUnconfirmed});
    return ArpVerdict::Refused;
  }
  ++stats_.lladdr_change_checks;
  s.candidate = claimed;
  s.check_probes = 0;
  events.push_back(
      LladdrChangeCheck{ip, s.entry.lladdr, claimed, LladdrChangeCheck::Outcome::Started, 0});
  check_timer(ip, s, now, events);  // the first probe at once
  return ArpVerdict::ChangeChecking;
}

void NeighbourTable::old_lladdr_answered(Ipv4 ip, Slot& s, Ms now, NeighbourEvents& events) {
  if (!s.candidate) return;
  ++stats_.lladdr_changes_rejected;
  events.push_back(LladdrChangeCheck{ip, s.entry.lladdr, *s.candidate,
                                     LladdrChangeCheck::Outcome::Rejected, s.check_probes});
  s.candidate.reset();
  s.change_hold_until = now + Ms{params_.base_reachable_time_ms};
}

void NeighbourTable::check_timer(Ipv4 ip, Slot& s, Ms now, NeighbourEvents& events) {
  if (!s.candidate) return;
  if (!nud_valid(s.entry.state) || nud_static(s.entry.state)) {
    // The entry went FAILED (or an administrator pinned it): nothing left to protect.
    s.candidate.reset();
    return;
  }
  const std::uint32_t budget = std::max<std::uint32_t>(params_.ucast_solicit, 1);
  if (s.check_probes < budget) {
    // arp_solicit() to the cached lladdr, as a PROBE-state probe.
    events.push_back(SolicitRequest{ip, s.entry.lladdr});
    ++s.check_probes;
    ++stats_.lladdr_change_probes;
    s.check_due = now + std::max<Ms>(params_.retrans_time_ms, kHz100Ms);
    return;
  }
  accept_change(ip, s, now, events);
}

void NeighbourTable::accept_change(Ipv4 ip, Slot& s, Ms now, NeighbourEvents& events) {
  // The old MAC stayed silent for the whole budget: the station moved. Take the new MAC as
  // STALE with override (what arp_process() would have done at once).
  const MacAddress claimed = *s.candidate;
  const std::uint32_t probes = s.check_probes;
  s.candidate.reset();
  ++stats_.lladdr_changes_confirmed;
  events.push_back(
      LladdrChangeCheck{ip, s.entry.lladdr, claimed, LladdrChangeCheck::Outcome::Accepted, probes});
  update(ip, s, claimed, NudState::Stale, {.override_lladdr = true, .admin = false}, now, events);
}

}  // namespace lvs
