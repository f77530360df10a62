#include "neigh/duplicate_address_detection.h"

#include <utility>

namespace lvs {

DuplicateAddressDetection::DuplicateAddressDetection(Ipv4 address, const MacAddress& our_mac,
                                                     TimeMs now, UniformRandom random,
                                                     DadTiming timing)
    : address_(address),
      our_mac_(our_mac),
      random_(std::move(random)),
      timing_(timing),
      deadline_(now + random_(0, timing_.probe_wait_ms)) {}

bool DuplicateAddressDetection::poll(TimeMs now) {
  if (outcome_ != DadOutcome::InProgress || now < deadline_) return false;
  if (probes_sent_ == timing_.probe_num) {
    // ANNOUNCE_WAIT is over and nobody objected.
    outcome_ = DadOutcome::Available;
    return false;
  }
  ++probes_sent_;
  // Measured from when the probe is due, not when poll() ran: a late poll does not stretch
  // the whole detection.
  const TimeMs base = deadline_;
  deadline_ = probes_sent_ == timing_.probe_num
                  ? base + timing_.announce_wait_ms
                  : base + random_(timing_.probe_min_ms, timing_.probe_max_ms);
  return true;
}

void DuplicateAddressDetection::observe(const ArpPacket& packet) {
  if (outcome_ != DadOutcome::InProgress) return;
  if (packet.sender_mac == our_mac_) return;
  const bool uses_it = packet.sender_ip == address_;
  const bool probes_for_it =
      packet.op == ArpOp::Request && packet.sender_ip == 0 && packet.target_ip == address_;
  if (uses_it || probes_for_it) {
    outcome_ = DadOutcome::Conflict;
    conflicting_mac_ = packet.sender_mac;
  }
}

std::optional<TimeMs> DuplicateAddressDetection::next_deadline() const {
  if (outcome_ != DadOutcome::InProgress) return std::nullopt;
  return deadline_;
}

}  // namespace lvs
