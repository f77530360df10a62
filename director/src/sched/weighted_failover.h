// fo: mainline net/netfilter/ipvs/ip_vs_fo.c (weighted failover). Every new connection goes to
// the non-overloaded server with the highest weight; among equal weights the one nearest the list
// head. Connection counts play no part, so the traffic moves only when a server is added,
// deleted, re-weighted, overloaded or dead.
//
// Decisions equal the kernel's linear scan; the cost is O(1) per decision and O(log n) per change
// of a weight or overload flag (sched/destination_heap.h, Weight: "least" in the heap's order is
// the highest weight). A counter change that leaves the flag alone costs a comparison.
#pragma once

#include <string_view>

#include "sched/least_loaded_scheduler.h"

namespace lvs {

class WeightedFailover final : public LeastLoadedScheduler {
 public:
  WeightedFailover() : LeastLoadedScheduler(DestinationHeap::Order::Weight, &eligible) {}
  std::string_view name() const override { return "fo"; }

 private:
  // as ip_vs_fo_schedule(): a candidate needs no overload and weight > hw, and hw starts at 0,
  // so a weight-0 server is never chosen.
  static bool eligible(const Destination& d) { return d.available && !d.blocked() && d.weight > 0; }
};

}  // namespace lvs
