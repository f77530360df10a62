// A NeighbourTable driven by a fake clock, with a scripted reachable-time draw and helpers to
// read the events it emits. Shared by the neigh_*_test.cpp files.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

#include "neigh/neighbour_table.h"
#include "support/lab_addresses.h"

namespace lvs::test {

// Reachable time is random % base + base/2: a draw of base/2 gives exactly `base`.
struct ScriptedRandom {
  std::shared_ptr<std::vector<std::uint32_t>> values =
      std::make_shared<std::vector<std::uint32_t>>();
  std::shared_ptr<std::size_t> next = std::make_shared<std::size_t>(0);
  std::uint32_t fallback = 15000;  // default base 30000 -> reachable time 30000
  NeighbourTable::RandomSource source() const {
    return [v = values, n = next, f = fallback]() {
      if (*n < v->size()) return (*v)[(*n)++];
      return f;
    };
  }
};

class NeighHarness {
 public:
  explicit NeighHarness(NeighbourParams params = {}, ScriptedRandom random = {})
      : random_(random), table(params, random.source()) {}

  NeighbourEvents take() {
    NeighbourEvents out;
    out.swap(events);
    return out;
  }
  void advance_to(TimeMs t) {
    now = t;
    table.run_timers(now, events);
  }
  // Steps the clock 1 ms at a time (timers fire at the first tick they are due), to `t`.
  void run_until(TimeMs t) {
    while (now < t) advance_to(now + 1);
  }
  Resolution send(Ipv4 ip, std::vector<std::uint8_t> packet = {}) {
    return table.resolve(ip, now, events, packet);
  }
  ArpVerdict reply(Ipv4 from, const MacAddress& mac, bool to_us = true) {
    ArpObservation a;
    a.is_reply = true;
    a.sender_ip = from;
    a.sender_mac = mac;
    a.target_ip = kDirector;
    a.target_mac = kOurMac;
    a.to_us = to_us;
    a.target_is_ours = true;
    return table.receive_arp(a, now, events);
  }
  // A packet for `ip` (INCOMPLETE, a broadcast request) answered by a unicast reply from `mac`:
  // REACHABLE. The events stay in `events`.
  void resolve(Ipv4 ip, const MacAddress& mac) {
    send(ip);
    reply(ip, mac);
  }
  ArpVerdict request(Ipv4 from, const MacAddress& mac, Ipv4 target = kDirector,
                     bool target_is_ours = true) {
    ArpObservation a;
    a.sender_ip = from;
    a.sender_mac = mac;
    a.target_ip = target;
    a.target_is_ours = target_is_ours;
    return table.receive_arp(a, now, events);
  }
  // `ip neigh replace IP lladdr MAC nud permanent` now; packets the entry held are released
  // into `events` like any admin change's.
  void permanent(Ipv4 ip, const MacAddress& mac) {
    ASSERT_TRUE(table.admin_set(ip, mac, NudState::Permanent, now, events));
  }
  NudState state(Ipv4 ip) const {
    const NeighbourEntry* e = table.find(ip);
    return e == nullptr ? NudState::None : e->state;
  }

  ScriptedRandom random_;
  NeighbourTable table;
  NeighbourEvents events;
  TimeMs now = 1'000'000;  // not 0: "long ago" arithmetic must not depend on it
};

template <class T>
std::vector<T> events_of(const NeighbourEvents& events) {
  std::vector<T> out;
  for (const auto& e : events) {
    if (const auto* x = std::get_if<T>(&e)) out.push_back(*x);
  }
  return out;
}

inline std::size_t broadcasts(const NeighbourEvents& events) {
  std::size_t n = 0;
  for (const auto& r : events_of<SolicitRequest>(events)) n += !r.unicast_to.has_value();
  return n;
}
inline std::size_t unicasts(const NeighbourEvents& events) {
  std::size_t n = 0;
  for (const auto& r : events_of<SolicitRequest>(events)) n += r.unicast_to.has_value();
  return n;
}

}  // namespace lvs::test
