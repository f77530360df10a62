// lc: mainline net/netfilter/ipvs/ip_vs_lc.c. The server with the least overhead
// ((active << 8) + inactive), skipping weight 0 and overloaded servers; ties go to the one
// nearest the list head. Weight is otherwise ignored.
//
// Decisions equal the kernel's linear scan; the cost is O(1) per decision and O(log n) per
// counter change (sched/least_loaded_scheduler.h).
#pragma once

#include <string_view>

#include "sched/least_loaded_scheduler.h"

namespace lvs {

class LeastConnection final : public LeastLoadedScheduler {
 public:
  LeastConnection() : LeastLoadedScheduler(DestinationHeap::Order::Overhead, &eligible) {}
  std::string_view name() const override { return "lc"; }

 private:
  // as ip_vs_lc_schedule(): skipped when overloaded or weight == 0.
  static bool eligible(const Destination& d) {
    return d.available && !d.blocked() && d.weight != 0;
  }
};

}  // namespace lvs
