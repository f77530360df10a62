// ovf: mainline net/netfilter/ipvs/ip_vs_ovf.c (overflow). The server with the highest weight,
// ties to the one nearest the list head, among those not overloaded, of weight > 0 and with no
// more active connections than their weight: connections stay on the heaviest server until its
// active count passes its weight, then overflow to the next.
//
// Decisions equal the kernel's linear scan; the cost is O(1) per decision and O(log n) per change
// of a weight, overload flag or "active > weight" (sched/destination_heap.h, Weight: "least" in
// the heap's order is the highest weight).
#pragma once

#include <cstdint>
#include <string_view>

#include "sched/least_loaded_scheduler.h"

namespace lvs {

class WeightedOverflow final : public LeastLoadedScheduler {
 public:
  WeightedOverflow() : LeastLoadedScheduler(DestinationHeap::Order::Weight, &eligible) {}
  std::string_view name() const override { return "ovf"; }

 private:
  // as ip_vs_ovf_schedule(): skipped when overloaded, when activeconns > weight, or when
  // weight == 0 (the kernel refuses negative weights).
  static bool eligible(const Destination& d) {
    return d.available && !d.blocked() && d.weight > 0 &&
           std::int64_t{d.activeconns} <= std::int64_t{d.weight};
  }
};

}  // namespace lvs
