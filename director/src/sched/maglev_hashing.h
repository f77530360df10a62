// mh: mainline net/netfilter/ipvs/ip_vs_mh.c, Maglev hashing (Eisenbud et al., NSDI '16, §3.4).
//
// A lookup table of a prime number M of slots (M = 4093 by default). Each server has a
// permutation of the slots: it starts at `offset` and steps by `skip` (mod M), both hashes of its
// own address:port. The table is filled round by round, visiting the servers in list order
// (head first): each server takes `turns` slots per round, each time the next slot of its
// permutation that is still free, until every slot is taken. A packet goes to the slot
// hash(source address [+ source port with mh-port]) mod M. Because every server walks its own
// fixed permutation, adding or removing one server changes few other slots: consistent hashing.
//
// What must match the kernel bit for bit, and where each rule comes from:
// - hashes: ip_vs_mh_hashkey() is hsiphash() of the 32-bit sum offset + ntohs(port) +
//   ntohl(addr), i.e. of host-order values added (mod 2^32); our addresses and ports are host
//   order already, so the sum is exactly the kernel's input (see sched/hsiphash.h for the 64-bit,
//   little-endian kernel whose hsiphash we reproduce). generate_hash_secret() uses fixed keys,
//   not random ones, so two directors (or a director and a kernel) build the same table: hash1
//   gives the servers' offsets and the packets' slots, hash2 the servers' skips.
// - turns (ip_vs_mh_permutate(), ip_vs_mh_gcd_weight(), ip_vs_mh_shift_weight()): a server's
//   last_weight divided by the gcd of all positive last_weights, shifted right by rshift =
//   max(0, bit length of (max last_weight / gcd) - CONFIG_IP_VS_MH_TAB_INDEX / 2); a server
//   whose quotient shifts to 0 still gets 1 turn, a server with last_weight 0 gets none (no
//   slot). No positive last_weight at all: an empty table.
// - last_weight (__ip_vs_update_dest()): the weight given when the server was added, then the
//   latest non-zero weight it was edited to. So a server edited to weight 0 keeps its slots (the
//   table does not move: its flows find it unavailable instead), while one added with weight 0
//   has none.
// - every add, edit and delete rebuilds the table from scratch (ip_vs_mh_dest_changed()); the
//   result depends only on the list and the last_weights. With more servers than slots the
//   kernel refuses to rebuild (-EINVAL from ip_vs_mh_reassign()) and keeps the old table, which
//   may still name a deleted server: so does this class, holding a reference (Destination::
//   hold()) on every server in its table as the kernel's ip_vs_dest_hold() does.
// - a slot's server is unavailable when its weight is <= 0 or it is overloaded (is_unavailable();
//   we test Destination::blocked(), which also covers dead hosts). Then there is no server,
//   unless mh-fallback is set: ip_vs_mh_get_fallback() tries, for offset 0..M-1, the slot
//   hash1(addr + port + (ihash + offset) mod M) mod M (the key rehashed, not the next slot),
//   stopping at the first usable server or at an empty slot.
// - mh-port (ip_vs_mh_get_port()): the source port of TCP, UDP and SCTP packets; 0 otherwise.
//
// Which address: the kernel hashes the source address, or the destination address for packets
// it sees in the reply direction (ip_vs_iph_inverse(): ICMP errors about replies). Under direct
// routing the director sees only client → VIP packets, so the source address is hashed, as sh
// does here.
//
// Table size: the kernel's CONFIG_IP_VS_MH_TAB_INDEX (8..17, default 12) picks
// M = primes[index - 8] from {251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071}.
// Here the CMake option LVS_IP_VS_MH_TAB_INDEX (same range and default) sets the default shape;
// tests and benchmarks pass their own (any prime, checked at compile time).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "sched/hsiphash.h"
#include "sched/scheduler.h"

#ifndef LVS_IP_VS_MH_TAB_INDEX
#define LVS_IP_VS_MH_TAB_INDEX 12  // set by CMake (option LVS_IP_VS_MH_TAB_INDEX)
#endif

namespace lvs {

// The table's geometry: M slots (a prime, so every skip 1..M-1 walks all slots) and the number
// of bits of weight / gcd kept before shifting (IP_VS_MH_TAB_BITS). Made only at compile time, so
// a bad size is a build error, not a fill loop that never ends.
struct MaglevTableShape {
  // CONFIG_IP_VS_MH_TAB_INDEX's range.
  static constexpr unsigned kMinTabIndex = 8;
  static constexpr unsigned kMaxTabIndex = 17;

  std::uint32_t size;
  unsigned weight_bits;

  consteval MaglevTableShape(std::uint32_t slots, unsigned bits) : size(slots), weight_bits(bits) {
    if (slots < 2) throw "mh table size must be a prime";
    for (std::uint32_t d = 2; d * d <= slots; ++d) {
      if (slots % d == 0) throw "mh table size must be a prime";
    }
    if (bits > 31) throw "mh weight bits must be < 32";
  }
  // IP_VS_MH_TAB_SIZE = primes[index - 8], IP_VS_MH_TAB_BITS = index / 2.
  static consteval MaglevTableShape for_tab_index(unsigned index) {
    constexpr std::array<std::uint32_t, 10> kPrimes = {251,  509,   1021,  2039,  4093,
                                                       8191, 16381, 32749, 65521, 131071};
    if (index < kMinTabIndex || index > kMaxTabIndex) throw "mh table index must be 8..17";
    return MaglevTableShape(kPrimes[index - kMinTabIndex], index / 2);
  }
};

class MaglevHashing final : public Scheduler {
 public:
  using TableShape = MaglevTableShape;
  // This build's CONFIG_IP_VS_MH_TAB_INDEX.
  static constexpr unsigned kTabIndex = LVS_IP_VS_MH_TAB_INDEX;
  static_assert(kTabIndex >= TableShape::kMinTabIndex && kTabIndex <= TableShape::kMaxTabIndex,
                "LVS_IP_VS_MH_TAB_INDEX must be 8..17, as CONFIG_IP_VS_MH_TAB_INDEX");
  static constexpr TableShape kDefaultShape = TableShape::for_tab_index(kTabIndex);

  // generate_hash_secret(): hash1 (offsets, and the packet's slot), hash2 (skips). Unsigned
  // longs on a 64-bit kernel: each constant fills one whole 64-bit key word.
  static constexpr HsiphashKey kOffsetKey{2654435761u, 2654435761u};
  static constexpr HsiphashKey kSkipKey{2654446892u, 2654446892u};

  explicit MaglevHashing(SchedulerFlags flags, TableShape shape = kDefaultShape);
  ~MaglevHashing() override;
  MaglevHashing(const MaglevHashing&) = delete;
  MaglevHashing& operator=(const MaglevHashing&) = delete;

  // Scheduler
  std::string_view name() const override { return "mh"; }
  void init_service(DestinationList list) override;
  void destination_added(DestinationList list, Destination& dest) override;
  void destination_removed(DestinationList list, Destination& dest, std::size_t old_index) override;
  void destination_updated(DestinationList list, Destination& dest) override;
  Destination* schedule(DestinationList list, const PacketInfo& packet, TimeMs now) override;

  // as ip_vs_mh_hashkey(): hsiphash of offset + port + addr (host order, mod 2^32), not yet
  // reduced mod M.
  static std::uint32_t hash_key(Ipv4 addr, std::uint16_t port, const HsiphashKey& key,
                                std::uint32_t offset) {
    return hsiphash_1u32(offset + static_cast<std::uint32_t>(port) + addr, key);
  }
  // The port mixed into a packet's hash (ip_vs_mh_get_port()).
  std::uint16_t hashed_port(const PacketInfo& packet) const;

  // For tests and benchmarks.
  std::uint32_t table_size() const { return shape_.size; }
  const Destination* slot(std::size_t index) const { return table_[index]; }
  // Rebuild the table from `list` now (what every add/edit/delete does): for the rebuild benchmark.
  void rebuild(DestinationList list) { reassign(list); }

 private:
  // ip_vs_mh_dest_setup: one server's walk through its permutation.
  struct Walk {
    std::uint32_t next;  // perm: the slot it tries next (starts at offset)
    std::uint32_t skip;  // 1..M-1
    std::int32_t turns;  // slots taken per round
  };

  void reassign(DestinationList list);
  void populate(DestinationList list);
  Destination* fallback(Ipv4 addr, std::uint16_t port, std::uint32_t ihash) const;
  static bool unavailable(const Destination& d) { return d.weight <= 0 || d.blocked(); }

  SchedulerFlags flags_;
  TableShape shape_;
  std::vector<Destination*> table_;
  // The servers the table names, each holding one reference (kept with a refused rebuild).
  std::vector<Destination*> held_;
  // Scratch of the rebuild, kept to avoid allocating each time.
  std::vector<Walk> walks_;
  std::vector<std::uint8_t> taken_;
};

}  // namespace lvs
