// dh: mainline net/netfilter/ipvs/ip_vs_dh.c. A static 256-bucket table filled by cycling
// through the service list in order (weights ignored); a packet goes to the bucket
// hash_32(destination address, 8). If that server is quiesced (weight <= 0) or overloaded
// there is no fallback: no server. The table is rebuilt on add and delete only (the kernel
// has no dh upd_dest; weights do not shape the table anyway).
//
// dh hashes the packet's destination address: for an ordinary VIP service that is always the
// VIP, so every connection lands in the same bucket; it spreads load only for fwmark services.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sched/scheduler.h"

namespace lvs {

class DestinationHashing final : public Scheduler {
 public:
  static constexpr unsigned kTableBits = 8;  // CONFIG_IP_VS_DH_TAB_BITS
  static constexpr std::size_t kTableSize = std::size_t{1} << kTableBits;

  std::string_view name() const override { return "dh"; }
  void destination_added(DestinationList list, Destination& dest) override;
  void destination_removed(DestinationList list, Destination& dest, std::size_t old_index) override;
  Destination* schedule(DestinationList list, const PacketInfo& packet, TimeMs now) override;

  // as ip_vs_dh_hashkey(): the bucket for a (host-order) destination address.
  static std::uint32_t bucket_of(Ipv4 daddr);
  // The server assigned to a bucket (nullptr when the list is empty), for tests.
  const Destination* bucket(std::size_t index) const { return table_[index]; }

 private:
  void reassign(DestinationList list);

  std::array<Destination*, kTableSize> table_{};
};

}  // namespace lvs
