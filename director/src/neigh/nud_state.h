// The Linux neighbour (NUD) states, with the kernel's names and values (include/uapi/linux/
// neighbour.h), so `lvsadm neigh show` and lvs_neighbour_state{state} read like `ip neigh`.
// Only Permanent is used until the ARP resolver (issue 5) adds the state machine.
#pragma once

#include <cstdint>
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

// "PERMANENT", "REACHABLE", ... as `ip neigh show` prints them.
constexpr std::string_view nud_state_name(NudState state) {
  switch (state) {
    case NudState::None:
      return "NONE";
    case NudState::Incomplete:
      return "INCOMPLETE";
    case NudState::Reachable:
      return "REACHABLE";
    case NudState::Stale:
      return "STALE";
    case NudState::Delay:
      return "DELAY";
    case NudState::Probe:
      return "PROBE";
    case NudState::Failed:
      return "FAILED";
    case NudState::Noarp:
      return "NOARP";
    case NudState::Permanent:
      return "PERMANENT";
  }
  return "NONE";
}

// NUD_VALID: states whose lladdr may be used to send (neigh_event_send() passes them through).
constexpr bool nud_valid(NudState state) {
  switch (state) {
    case NudState::Reachable:
    case NudState::Stale:
    case NudState::Delay:
    case NudState::Probe:
    case NudState::Noarp:
    case NudState::Permanent:
      return true;
    default:
      return false;
  }
}

}  // namespace lvs
