// The service's linked servers, indexed for the two list scans that lblc and lblcr make on every
// decision in the kernel:
//   - __ip_vs_lblc_schedule() / __ip_vs_lblcr_schedule(): the weighted-least-connection server
//     (least overhead/weight among servers with weight > 0 and no IP_VS_DEST_F_OVERLOAD flag,
//     ties to the first in list order) — the same choice as ip_vs_wlc_schedule(), so it is
//     wlc's DestinationHeap: O(1) to read, O(log n) per counter change;
//   - is_overloaded(): "is there a linked server with activeconns*2 < weight", kept as a count.
// Uses Destination::sched_slot (the heap) and Destination::sched_mark (counted as underloaded).
#pragma once

#include <cstddef>
#include <cstdint>

#include "model/destination.h"
#include "sched/destination_heap.h"

namespace lvs {

class LocalityServerIndex {
 public:
  // A destination was linked into the service list.
  void add(Destination& dest);
  // A destination was unlinked.
  void remove(Destination& dest);
  // Weight, thresholds, the overload flag or the connection counters of a linked destination
  // changed (ignored for destinations that are not linked).
  void refresh(Destination& dest);

  // The server __ip_vs_lblc_schedule() would pick, or nullptr when none qualifies.
  Destination* least_loaded() const { return heap_.top(); }

  // as is_overloaded() in ip_vs_lblc.c / ip_vs_lblcr.c: more active connections than its
  // weight while some linked server (any, whatever its flags) has activeconns*2 < weight.
  bool locality_overloaded(const Destination& dest) const {
    return std::int64_t{dest.activeconns} > std::int64_t{dest.weight} && underloaded_count_ > 0;
  }

  // The heap's own invariant check (tests).
  bool valid() const { return heap_.valid(); }

 private:
  void set_underloaded(Destination& dest, bool underloaded);

  DestinationHeap heap_{DestinationHeap::Order::OverheadPerWeight};
  std::size_t underloaded_count_ = 0;
};

}  // namespace lvs
