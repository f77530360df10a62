// wlc: mainline net/netfilter/ipvs/ip_vs_wlc.c. The server with the least overhead/weight
// (overhead = (active << 8) + inactive), compared without division as
// oh_a * w_b < oh_b * w_a in 64 bits; weight 0 and overloaded servers are skipped; ties go to
// the server nearest the list head.
//
// Decisions equal the kernel's linear scan; the cost is O(1) per decision and O(log n) per
// change (sched/least_loaded_scheduler.h). Usable standalone (e.g. as lblc/lblcr's chooser): feed
// it the same destination_added/removed/updated and load_changed calls the service's scheduler
// gets, and call least_loaded(). It owns Destination::sched_slot of the destinations it is fed:
// a wrapping scheduler must not use sched_slot itself, nor feed the same destinations to a second
// heap-based chooser.
#pragma once

#include <string_view>

#include "sched/least_loaded_scheduler.h"

namespace lvs {

class WeightedLeastConnection final : public LeastLoadedScheduler {
 public:
  WeightedLeastConnection()
      : LeastLoadedScheduler(DestinationHeap::Order::OverheadPerWeight, &eligible) {}
  std::string_view name() const override { return "wlc"; }

 private:
  // as ip_vs_wlc_schedule(): the first candidate needs weight > 0 and no overload; a later
  // weight-0 server can never beat it (0 * ... > doh * lw is false), so it is left out.
  static bool eligible(const Destination& d) { return d.available && !d.blocked() && d.weight > 0; }
};

}  // namespace lvs
