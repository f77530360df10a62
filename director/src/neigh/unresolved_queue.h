// The packets waiting for one unresolved neighbour (the kernel's neigh->arp_queue): owned copies
// of IPv4 packets, oldest first, bounded by a packet count and a byte count.
//
// Why owned bytes and not a template parameter or a handle: a queued packet outlives the NFQUEUE
// receive buffer it arrived in (the buffer is reused for the next batch, and the original gets
// its DROP verdict at once), so someone must copy it; the table is the one place that knows how
// long it waits. Copying happens only for packets to an unresolved server — never on the hot
// path — and is bounded by unres_qlen. A template would turn NeighbourTable, which the packet
// path and the metrics builder use as a plain class, into a header-only template for no gain.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <vector>

namespace lvs {

using PendingPacket = std::vector<std::uint8_t>;  // an IPv4 packet, byte for byte

class UnresolvedQueue {
 public:
  // Appends a copy of `packet`, first dropping the oldest packets until it fits both limits
  // (as __neigh_event_send(): a packet larger than the byte limit still goes into an emptied
  // queue). Returns how many packets were dropped. With max_packets 0 nothing is kept: the
  // new packet itself is dropped and counted (unres_qlen 0 means "do not queue").
  std::size_t push(std::span<const std::uint8_t> packet, std::size_t max_packets,
                   std::size_t max_bytes);

  // Everything queued, oldest first; the queue is left empty.
  std::vector<PendingPacket> take();
  // Empties the queue; returns how many packets were dropped.
  std::size_t clear();

  std::size_t size() const { return packets_.size(); }
  std::size_t bytes() const { return bytes_; }
  bool empty() const { return packets_.empty(); }

 private:
  std::deque<PendingPacket> packets_;
  std::size_t bytes_ = 0;
};

}  // namespace lvs
