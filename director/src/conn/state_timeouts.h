// Per-state connection timeouts (the protocols' timeout_table[]): tcp_timeouts[] and
// udp_timeouts[] defaults, with ipvsadm --set (config::Timeouts) overriding ESTABLISHED,
// FIN_WAIT and UDP as ip_vs_set_timeout() does.
#pragma once

#include <array>
#include <cstdint>

#include "config/model.h"
#include "conn/tcp_state.h"

namespace lvs {

class StateTimeouts {
 public:
  // NONE 2, ESTABLISHED 900, SYN_SENT 120, SYN_RECV 60, FIN_WAIT 120, TIME_WAIT 120, CLOSE 10,
  // CLOSE_WAIT 60, LAST_ACK 30, LISTEN 120, SYNACK 120, UDP 300 (seconds).
  StateTimeouts() = default;
  explicit StateTimeouts(const config::Timeouts& set) { apply(set); }

  // ipvsadm --set tcp tcpfin udp. A zero value leaves that timeout unchanged, as ipvsadm does.
  void apply(const config::Timeouts& set);

  std::uint32_t seconds(ConnState state) const { return seconds_[static_cast<std::size_t>(state)]; }
  std::uint64_t milliseconds(ConnState state) const {
    return std::uint64_t{seconds(state)} * 1000u;
  }

 private:
  std::array<std::uint32_t, kConnStateCount> seconds_ = {2,  900, 120, 60,  120, 120,
                                                         10, 60,  30,  120, 120, 300};
};

}  // namespace lvs
