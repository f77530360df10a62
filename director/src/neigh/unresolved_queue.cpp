#include "neigh/unresolved_queue.h"

#include <iterator>

namespace lvs {

std::size_t UnresolvedQueue::push(std::span<const std::uint8_t> packet, std::size_t max_packets,
                                  std::size_t max_bytes) {
  std::size_t dropped = 0;
  // unres_qlen 0 keeps nothing (the packet itself is the one dropped).
  if (max_packets == 0) return 1;
  while (!packets_.empty() &&
         (packets_.size() + 1 > max_packets || bytes_ + packet.size() > max_bytes)) {
    bytes_ -= packets_.front().size();
    packets_.pop_front();
    ++dropped;
  }
  packets_.emplace_back(packet.begin(), packet.end());
  bytes_ += packet.size();
  return dropped;
}

std::vector<PendingPacket> UnresolvedQueue::take() {
  std::vector<PendingPacket> out(std::make_move_iterator(packets_.begin()),
                                 std::make_move_iterator(packets_.end()));
  packets_.clear();
  bytes_ = 0;
  return out;
}

std::size_t UnresolvedQueue::clear() {
  const std::size_t n = packets_.size();
  packets_.clear();
  bytes_ = 0;
  return n;
}

}  // namespace lvs
