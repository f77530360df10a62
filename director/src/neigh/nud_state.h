// The Linux neighbour (NUD) states, with the kernel's names and values (include/uapi/linux/
// neighbour.h), so `lvsadm neigh show` and lvs_neighbour_state{state} read like `ip neigh`.
// The state machine that moves entries between them is NeighbourTable (neighbour_table.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace lvs {

enum class NudState : std::uint8_t {
  None = 0x00,
  Incomplete = 0x01,
  Reachable = 0x02,
  Stale = 0x04,
  Delay = 0x08,
  Probe = 0x10,
  Failed = 0x20,
  Noarp = 0x40,
  Permanent = 0x80,
};

// The names `ip neigh show` prints, and the lower-case ones `ip neigh replace ... nud STATE`
// takes for the states an administrator may set (empty for the others).
struct NudStateNames {
  NudState state;
  std::string_view shown;
  std::string_view admin;
};
inline constexpr NudStateNames kNudStateNames[] = {
    {NudState::None, "NONE", ""},
    {NudState::Incomplete, "INCOMPLETE", ""},
    {NudState::Reachable, "REACHABLE", "reachable"},
    {NudState::Stale, "STALE", "stale"},
    {NudState::Delay, "DELAY", ""},
    {NudState::Probe, "PROBE", ""},
    {NudState::Failed, "FAILED", ""},
    {NudState::Noarp, "NOARP", "noarp"},
    {NudState::Permanent, "PERMANENT", "permanent"},
};

// "PERMANENT", "REACHABLE", ... as `ip neigh show` prints them.
constexpr std::string_view nud_state_name(NudState state) {
  for (const auto& n : kNudStateNames) {
    if (n.state == state) return n.shown;
  }
  return "NONE";
}

// The states an administrator may set (`ip neigh replace ... nud STATE`, `lvsadm neigh add`), by
// ip's lower-case names: "permanent", "noarp", "reachable", "stale". nullopt for anything else.
constexpr std::optional<NudState> parse_admin_nud_state(std::string_view text) {
  for (const auto& n : kNudStateNames) {
    if (!n.admin.empty() && n.admin == text) return n.state;
  }
  return std::nullopt;
}
// The inverse, for the states parse_admin_nud_state() accepts ("" for the others).
constexpr std::string_view admin_nud_state_word(NudState state) {
  for (const auto& n : kNudStateNames) {
    if (n.state == state) return n.admin;
  }
  return "";
}

// The kernel's state groups (include/net/neighbour.h), as predicates: the table's rules are
// written in terms of them exactly as neighbour.c is.
constexpr std::uint8_t nud_bits(NudState state) { return static_cast<std::uint8_t>(state); }

// NUD_VALID: states whose lladdr may be used to send (neigh_event_send() passes them through):
// PERMANENT|NOARP|REACHABLE|PROBE|STALE|DELAY.
constexpr bool nud_valid(NudState state) {
  return (nud_bits(state) & (0x80 | 0x40 | 0x02 | 0x10 | 0x04 | 0x08)) != 0;
}

// NUD_IN_TIMER: states with a running per-entry timer. The kernel's timer holds a reference on
// the entry, so garbage collection never takes an entry in one of these states.
constexpr bool nud_in_timer(NudState state) {
  return (nud_bits(state) & (0x01 | 0x02 | 0x08 | 0x10)) != 0;  // INCOMPLETE|REACHABLE|DELAY|PROBE
}

// NUD_CONNECTED: the lladdr is known good without asking (PERMANENT|NOARP|REACHABLE).
constexpr bool nud_connected(NudState state) {
  return (nud_bits(state) & (0x80 | 0x40 | 0x02)) != 0;
}

// States ARP and timers never change (neigh_update() without NEIGH_UPDATE_F_ADMIN refuses them).
constexpr bool nud_static(NudState state) {
  return state == NudState::Permanent || state == NudState::Noarp;
}

}  // namespace lvs
