#include <algorithm>
#include <array>

#include "neigh/neighbour_table.h"

namespace lvs {

// arp_process()'s table part (net/ipv4/arp.c): which received ARP may create or update an entry,
// in which state, and with which override rights. See neighbour_table.h.

namespace {

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
  constexpr std::array<std::string_view, 11> kNames = {
      "ignored_target", "dad_probe", "ignored_sender", "not_cached", "created",        "updated",
      "unchanged",      "refused",   "table_full",     "unwanted",   "change_checking"};
  static_assert(static_cast<std::size_t>(ArpVerdict::ChangeChecking) + 1 == kNames.size());
  const auto i = static_cast<std::size_t>(verdict);
  return i < kNames.size() ? kNames[i] : "unknown";
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
  const bool request_for_us = !arp.is_reply && arp.target_is_ours;
  if (request_for_us) {
    if (arp.to_us) {
      ++stats_.rcv_probes_ucast;
    } else {
      ++stats_.rcv_probes_mcast;
    }
  }
  // Hardening: no entry is ever made for an address we do not forward to.
  if (s == nullptr && restricted_ && !wanted_.contains(arp.sender_ip)) {
    ++stats_.unwanted_arp;
    return ArpVerdict::Unwanted;
  }
  // Hardening: a wanted entry's usable MAC changes only through a change check.
  if (s != nullptr && wanted(arp.sender_ip) && nud_valid(s->entry.state) &&
      !nud_static(s->entry.state)) {
    if (arp.sender_mac != s->entry.lladdr) {
      return claim_change(arp.sender_ip, *s, arp.sender_mac, now, events);
    }
    old_lladdr_answered(arp.sender_ip, *s, now, events);  // alive: a running check fails
  }

  if (request_for_us) {
    // A request for us: the sender will talk to us, cache it (neigh_event_ns(): create, STALE,
    // override regardless of locktime).
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

}  // namespace lvs
