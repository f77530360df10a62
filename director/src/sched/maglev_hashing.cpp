#include "sched/maglev_hashing.h"

#include <algorithm>
#include <bit>
#include <numeric>

#include "model/packet_info.h"

namespace lvs {

namespace {
constexpr std::uint8_t kProtoSctp = 132;  // IPPROTO_SCTP
}  // namespace

MaglevHashing::MaglevHashing(SchedulerFlags flags, TableShape shape)
    : flags_(flags), shape_(shape), table_(shape.size, nullptr) {}

MaglevHashing::~MaglevHashing() {
  // ip_vs_mh_done_svc() → ip_vs_mh_reset(): the table's references go with it.
  for (Destination* d : held_) d->release();
}

std::uint16_t MaglevHashing::hashed_port(const PacketInfo& packet) const {
  // ip_vs_mh_get_port(): ports[0], the source port, where TCP, UDP and SCTP keep it.
  const bool has_ports =
      packet.protocol == kProtoTcp || packet.protocol == kProtoUdp || packet.protocol == kProtoSctp;
  return flags_.port && has_ports ? packet.sport : 0;
}

void MaglevHashing::init_service(DestinationList list) {
  // ip_vs_mh_init_svc(): one build from the list as it is (not one per server), from each
  // server's last_weight (Destination::last_weight, kept by VirtualService as
  // __ip_vs_update_dest() keeps it, so it predates this scheduler).
  reassign(list);
}

void MaglevHashing::destination_added(DestinationList list, Destination& dest) {
  (void)dest;  // its last_weight is the weight given, 0 included (__ip_vs_update_dest(add))
  reassign(list);
}

void MaglevHashing::destination_updated(DestinationList list, Destination& dest) {
  (void)dest;  // an edit to weight 0 left its last_weight as it was (__ip_vs_update_dest())
  reassign(list);
}

void MaglevHashing::destination_removed(DestinationList list, Destination& dest,
                                        std::size_t old_index) {
  (void)dest;
  (void)old_index;
  reassign(list);
}

void MaglevHashing::reassign(DestinationList list) {
  // ip_vs_mh_reassign(): more servers than slots is refused and the old table stays (for
  // ip_vs_mh_init_svc() the kernel fails the whole bind; here the table then stays empty).
  if (list.size() > shape_.size) return;
  populate(list);
}

void MaglevHashing::populate(DestinationList list) {
  // ip_vs_mh_gcd_weight() and ip_vs_mh_shift_weight(), over last_weight.
  std::int32_t gcd = 0;
  std::int32_t max_weight = 0;
  for (const Destination* d : list) {
    const std::int32_t w = d->last_weight;
    if (w > 0) gcd = gcd > 0 ? std::gcd(w, gcd) : w;
    max_weight = std::max(max_weight, w);
  }
  std::vector<Destination*> held;
  if (gcd < 1) {
    // No server with a positive last_weight: ip_vs_mh_reset(), every slot empty.
    std::fill(table_.begin(), table_.end(), nullptr);
  } else {
    const int bits = std::bit_width(static_cast<std::uint32_t>(max_weight / gcd));  // fls()
    const int rshift = std::max(0, bits - static_cast<int>(shape_.weight_bits));

    // ip_vs_mh_permutate(): each server's start, step and turns, in list order.
    const std::uint32_t m = shape_.size;
    walks_.clear();
    for (Destination* d : list) {
      const Endpoint& a = d->address;
      const std::int32_t w = d->last_weight;
      std::int32_t turns = (w / gcd) >> rshift;
      if (turns == 0) turns = w != 0 ? 1 : 0;
      walks_.push_back({hash_key(a.addr, a.port, kOffsetKey, 0) % m,
                        hash_key(a.addr, a.port, kSkipKey, 0) % (m - 1) + 1, turns});
      if (turns >= 1) held.push_back(d);
    }

    // ip_vs_mh_populate(): rounds over the list, head first; a server with 0 turns is passed
    // over; each other takes `turns` slots in a row, each the next free one of its permutation.
    taken_.assign(m, 0);
    std::uint32_t filled = 0;
    std::int32_t taken_this_turn = 0;
    while (filled < m) {
      for (std::size_t i = 0; i < list.size() && filled < m;) {
        Walk& w = walks_[i];
        if (w.turns < 1) {
          ++i;
          continue;
        }
        std::uint32_t c = w.next;
        while (taken_[c] != 0) {
          c += w.skip;
          if (c >= m) c -= m;
        }
        w.next = c;
        taken_[c] = 1;
        table_[c] = list[i];
        ++filled;
        if (++taken_this_turn >= w.turns) {
          taken_this_turn = 0;
          ++i;
        }
      }
    }
  }
  // The references follow the table: the new ones taken before the old ones are let go.
  for (Destination* d : held) d->hold();
  for (Destination* d : held_) d->release();
  held_ = std::move(held);
}

Destination* MaglevHashing::schedule(DestinationList list, const PacketInfo& packet, TimeMs now) {
  (void)list;
  (void)now;
  const Ipv4 addr = packet.saddr;  // direct routing: never the reply direction (see the header)
  const std::uint16_t port = hashed_port(packet);
  const std::uint32_t ihash = hash_key(addr, port, kOffsetKey, 0) % shape_.size;
  Destination* d = table_[ihash];
  if (d == nullptr) return nullptr;  // empty table
  if (!unavailable(*d)) return d;
  return flags_.fallback ? fallback(addr, port, ihash) : nullptr;  // as ip_vs_mh_get()
}

Destination* MaglevHashing::fallback(Ipv4 addr, std::uint16_t port, std::uint32_t ihash) const {
  // as ip_vs_mh_get_fallback(): the probe offsets start at ihash and are hashed again with the
  // key, so the probed slots are scattered, not ihash + 1, ihash + 2, ...
  const std::uint32_t m = shape_.size;
  for (std::uint32_t offset = 0; offset < m; ++offset) {
    const std::uint32_t roffset = (offset + ihash) % m;
    Destination* d = table_[hash_key(addr, port, kOffsetKey, roffset) % m];
    if (d == nullptr) break;
    if (!unavailable(*d)) return d;
  }
  return nullptr;
}

}  // namespace lvs
