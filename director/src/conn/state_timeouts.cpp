#include "conn/state_timeouts.h"

namespace lvs {

void StateTimeouts::apply(const config::Timeouts& set) {
  // as ip_vs_set_timeout(): only non-zero values are written.
  if (set.tcp != 0) seconds_[static_cast<std::size_t>(ConnState::Established)] = set.tcp;
  if (set.tcpfin != 0) seconds_[static_cast<std::size_t>(ConnState::FinWait)] = set.tcpfin;
  if (set.udp != 0) seconds_[static_cast<std::size_t>(ConnState::Udp)] = set.udp;
}

}  // namespace lvs
