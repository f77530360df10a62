// nq: mainline net/netfilter/ipvs/ip_vs_nq.c. Two speeds: if some server has no active
// connection, the first such server in list order (nearest the head), whatever its weight;
// otherwise sed's choice, the least (activeconns + 1)/weight with ties to the head. Weight 0 and
// overloaded servers are skipped in both.
//
// Decisions equal the kernel's linear scan; the cost is O(1) per decision and O(log n) per
// change of a server's active count, weight or overload flag: one DestinationHeap whose order
// puts the idle servers first, by list position (sched/destination_heap.h,
// IdleThenExpectedDelay).
#pragma once

#include <string_view>

#include "sched/least_loaded_scheduler.h"

namespace lvs {

class NeverQueue final : public LeastLoadedScheduler {
 public:
  NeverQueue() : LeastLoadedScheduler(DestinationHeap::Order::IdleThenExpectedDelay, &eligible) {}
  std::string_view name() const override { return "nq"; }

 private:
  // as ip_vs_nq_schedule(): skipped when overloaded or weight == 0 (the kernel refuses negative
  // weights, so every other server has weight > 0).
  static bool eligible(const Destination& d) { return d.available && !d.blocked() && d.weight > 0; }
};

}  // namespace lvs
