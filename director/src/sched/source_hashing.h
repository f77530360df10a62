// sh: mainline net/netfilter/ipvs/ip_vs_sh.c. A 256-bucket table where each server, in list
// order, takes `weight` consecutive buckets (a server with weight <= 0 still takes one), the
// list repeated until the table is full; a packet goes to bucket
// hash_32(source address [+ source port with sh-port], 8). A quiesced (weight <= 0) or
// overloaded server there means no server, unless sh-fallback is set: then the table is probed
// in ip_vs_sh_get_fallback()'s order for a usable one. Rebuilt on add, edit and delete.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sched/scheduler.h"

namespace lvs {

class SourceHashing final : public Scheduler {
 public:
  static constexpr unsigned kTableBits = 8;  // CONFIG_IP_VS_SH_TAB_BITS
  static constexpr std::size_t kTableSize = std::size_t{1} << kTableBits;

  explicit SourceHashing(SchedulerFlags flags) : flags_(flags) {}

  std::string_view name() const override { return "sh"; }
  void destination_added(DestinationList list, Destination& dest) override;
  void destination_removed(DestinationList list, Destination& dest, std::size_t old_index) override;
  void destination_updated(DestinationList list, Destination& dest) override;
  Destination* schedule(DestinationList list, const PacketInfo& packet, TimeMs now) override;

  // as ip_vs_sh_hashkey(): the bucket for host-order address/port and a probe offset.
  static std::uint32_t bucket_of(Ipv4 addr, std::uint16_t port, std::uint32_t offset);
  // The port the kernel mixes in (ip_vs_sh_get_port()): the source port of TCP/UDP/SCTP
  // packets when sh-port is set, else 0.
  std::uint16_t hashed_port(const PacketInfo& packet) const;
  // The server assigned to a bucket (nullptr when the list is empty), for tests.
  const Destination* bucket(std::size_t index) const { return table_[index]; }

 private:
  void reassign(DestinationList list);
  static bool unusable(const Destination& d) { return d.weight <= 0 || d.blocked(); }

  SchedulerFlags flags_;
  std::array<Destination*, kTableSize> table_{};
};

}  // namespace lvs
