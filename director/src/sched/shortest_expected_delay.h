// sed: mainline net/netfilter/ipvs/ip_vs_sed.c. The server with the least expected delay
// (activeconns + 1)/weight — inactive connections are ignored, and the "+ 1" counts the
// connection being placed — compared without division as (a_x + 1) * w_y < (a_y + 1) * w_x in
// 64 bits; weight 0 and overloaded servers are skipped; ties go to the server nearest the list
// head.
//
// Decisions equal the kernel's linear scan; the cost is O(1) per decision and O(log n) per
// change of a server's active count, weight or overload flag (sched/least_loaded_scheduler.h;
// a change of inactive connections leaves the index as it is).
#pragma once

#include <string_view>

#include "sched/least_loaded_scheduler.h"

namespace lvs {

class ShortestExpectedDelay final : public LeastLoadedScheduler {
 public:
  ShortestExpectedDelay()
      : LeastLoadedScheduler(DestinationHeap::Order::ExpectedDelay, &eligible) {}
  std::string_view name() const override { return "sed"; }

 private:
  // as ip_vs_sed_schedule(): the first candidate needs weight > 0 and no overload; a later
  // weight-0 server never beats it (loh * 0 > doh * lw is false, doh >= 1), so it is left out.
  static bool eligible(const Destination& d) { return d.available && !d.blocked() && d.weight > 0; }
};

}  // namespace lvs
