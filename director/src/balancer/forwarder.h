// The forwarding step, as a seam: a decided packet and its next hop go in, the packet leaves
// the director. Today's implementation is AF_PACKET with one sendmmsg per batch
// (io/af_packet_forwarder.h); a kernel fast path or another forwarding method plugs in here
// without the decision (balancer/packet_path.h) or the event loop changing.
#pragma once

#include <cstdint>
#include <span>

#include "config/net_address.h"

namespace lvs {

class Forwarder {
 public:
  virtual ~Forwarder() = default;

  // Queues `ip_packet`, unchanged, for the real server whose MAC is `next_hop` on the director's
  // segment (direct routing). The bytes must stay valid until flush() returns; the MAC is copied.
  // A packet larger than the link MTU leaves in fragments (ip_fragment()) unless DF is set.
  virtual void forward(std::span<const std::uint8_t> ip_packet, const MacAddress& next_hop) = 0;
  // Sends everything queued since the last flush.
  virtual void flush() = 0;
  // Answers `ip_packet`'s sender with ICMP "fragmentation needed" carrying `mtu` (the packet
  // path refused the packet: too big, DF set; balancer/packet_path.h). Sent at once.
  virtual void send_fragmentation_needed(std::span<const std::uint8_t> ip_packet,
                                         std::uint16_t mtu) = 0;
};

}  // namespace lvs
