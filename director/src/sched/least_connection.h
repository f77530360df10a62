// lc: mainline net/netfilter/ipvs/ip_vs_lc.c. The server with the least overhead
// ((active << 8) + inactive), skipping weight 0 and overloaded servers; ties go to the one
// nearest the list head. Weight is otherwise ignored.
//
// Decisions equal the kernel's linear scan; the cost is O(1) per decision and O(log n) per
// counter change (a DestinationHeap, which owns Destination::sched_slot).
#pragma once

#include <cstddef>
#include <string_view>

#include "sched/destination_heap.h"
#include "sched/scheduler.h"

namespace lvs {

class LeastConnection final : public Scheduler {
 public:
  std::string_view name() const override { return "lc"; }
  void destination_added(DestinationList list, Destination& dest) override;
  void destination_removed(DestinationList list, Destination& dest, std::size_t old_index) override;
  void destination_updated(DestinationList list, Destination& dest) override;
  void load_changed(Destination& dest) override;
  Destination* schedule(DestinationList list, const PacketInfo& packet, TimeMs now) override;

  const DestinationHeap& index() const { return heap_; }

 private:
  // as ip_vs_lc_schedule(): skipped when overloaded or weight == 0.
  static bool eligible(const Destination& d) {
    return d.available && !d.blocked() && d.weight != 0;
  }

  DestinationHeap heap_{DestinationHeap::Order::Overhead};
};

}  // namespace lvs
