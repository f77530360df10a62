#include "sched/source_hashing.h"

#include "sched/ip_vs_hash.h"

namespace lvs {

std::uint32_t SourceHashing::bucket_of(Ipv4 addr, std::uint16_t port, std::uint32_t offset) {
  // as ip_vs_sh_hashkey(): (offset + hash_32(ntohs(port) + ntohl(addr), 8)) & mask. The kernel
  // converts both to host order before adding, so the sum of our host-order fields (mod 2^32)
  // is exactly its hash input. The offset is added after hashing, not inside it.
  const std::uint32_t key = static_cast<std::uint32_t>(port) + addr;
  return (offset + hash_32(key, kTableBits)) & static_cast<std::uint32_t>(kTableSize - 1);
}

std::uint16_t SourceHashing::hashed_port(const PacketInfo& packet) const {
  if (!flags_.port) return 0;
  switch (packet.protocol) {
    case kProtoTcp:
    case kProtoUdp:
    case 132:  // IPPROTO_SCTP
      return packet.sport;
    default:
      return 0;
  }
}

void SourceHashing::reassign(DestinationList list) {
  // as ip_vs_sh_reassign(): stay on a server until it has filled `weight` buckets; the
  // pre-increment test means weight <= 0 still fills one.
  const std::size_t n = list.size();
  std::size_t p = 0;
  std::int32_t filled = 0;
  for (std::size_t i = 0; i < kTableSize; ++i) {
    if (n == 0) {
      table_[i] = nullptr;
      continue;
    }
    Destination* d = list[p];
    table_[i] = d;
    if (++filled >= d->weight) {
      filled = 0;
      if (++p == n) p = 0;
    }
  }
}

void SourceHashing::destination_added(DestinationList list, Destination& dest) {
  (void)dest;
  reassign(list);
}

void SourceHashing::destination_removed(DestinationList list, Destination& dest,
                                        std::size_t old_index) {
  (void)dest;
  (void)old_index;
  reassign(list);
}

void SourceHashing::destination_updated(DestinationList list, Destination& dest) {
  (void)dest;
  reassign(list);
}

Destination* SourceHashing::schedule(DestinationList list, const PacketInfo& packet, TimeMs now) {
  (void)list;
  (void)now;
  // Under direct routing the director never sees replies, so the kernel's inverse case
  // (ICMP errors hashed by daddr) does not arise: the source address is hashed.
  const Ipv4 addr = packet.saddr;
  const std::uint16_t port = hashed_port(packet);
  const std::uint32_t ihash = bucket_of(addr, port, 0);
  Destination* d = table_[ihash];
  if (d == nullptr) return nullptr;
  if (!unusable(*d)) return d;
  if (!flags_.fallback) return nullptr;  // as ip_vs_sh_get()
  // as ip_vs_sh_get_fallback(): probe with roffset = (offset + ihash) mod 256 as the hash
  // offset, i.e. buckets (2 * ihash + offset) mod 256 for offset 0..255 — the first probe is
  // not ihash + 1. An empty bucket ends the search.
  for (std::uint32_t offset = 0; offset < kTableSize; ++offset) {
    const std::uint32_t roffset = (offset + ihash) % kTableSize;
    d = table_[bucket_of(addr, port, roffset)];
    if (d == nullptr) break;
    if (!unusable(*d)) return d;
  }
  return nullptr;
}

}  // namespace lvs
