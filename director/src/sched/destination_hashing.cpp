#include "sched/destination_hashing.h"

#include "sched/ip_vs_hash.h"

namespace lvs {

std::uint32_t DestinationHashing::bucket_of(Ipv4 daddr) {
  // The kernel hashes ntohl(daddr): the host-order value we already hold.
  return hash_32(daddr, kTableBits);
}

void DestinationHashing::reassign(DestinationList list) {
  // as ip_vs_dh_reassign(): bucket i gets list[i mod n], head first.
  const std::size_t n = list.size();
  std::size_t p = 0;
  for (std::size_t i = 0; i < kTableSize; ++i) {
    if (n == 0) {
      table_[i] = nullptr;
      continue;
    }
    table_[i] = list[p];
    if (++p == n) p = 0;
  }
}

void DestinationHashing::destination_added(DestinationList list, Destination& dest) {
  (void)dest;
  reassign(list);
}

void DestinationHashing::destination_removed(DestinationList list, Destination& dest,
                                             std::size_t old_index) {
  (void)dest;
  (void)old_index;
  reassign(list);
}

Destination* DestinationHashing::schedule(DestinationList list, const PacketInfo& packet,
                                          TimeMs now) {
  (void)list;
  (void)now;
  // as ip_vs_dh_schedule(): the bucket's server or nothing.
  Destination* d = table_[bucket_of(packet.daddr)];
  if (d == nullptr || !d->available || d->weight <= 0 || d->blocked()) return nullptr;
  return d;
}

}  // namespace lvs
