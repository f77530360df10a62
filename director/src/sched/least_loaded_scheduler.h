// lc, wlc, sed, nq, fo and ovf are one algorithm over different orders: the eligible server that
// comes first in the order (the least load for lc/wlc/sed/nq, the highest weight for fo/ovf),
// ties to the one nearest the list head. The kernel scans the list on every decision
// (ip_vs_lc_schedule(), ip_vs_wlc_schedule(), ip_vs_sed_schedule(), ...); this keeps the
// eligible servers in a DestinationHeap instead, so a decision is O(1) and a change O(log n),
// with the same answers. The subclasses say which order and which servers are eligible, as their
// kernel functions do. The heap owns Destination::sched_slot of the
// destinations it is fed.
#pragma once

#include <cstddef>

#include "sched/destination_heap.h"
#include "sched/scheduler.h"

namespace lvs {

class LeastLoadedScheduler : public Scheduler {
 public:
  // --- Scheduler ---
  void destination_added(DestinationList list, Destination& dest) override;
  void destination_removed(DestinationList list, Destination& dest, std::size_t old_index) override;
  void destination_updated(DestinationList list, Destination& dest) override;
  void load_changed(Destination& dest) override;
  Destination* schedule(DestinationList list, const PacketInfo& packet, TimeMs now) override;

  // The same answer as schedule(), for callers without a packet (lblc/lblcr's chooser).
  Destination* least_loaded() const { return heap_.top(); }
  const DestinationHeap& index() const { return heap_; }

 protected:
  using Eligible = bool (*)(const Destination&);
  LeastLoadedScheduler(DestinationHeap::Order order, Eligible eligible)
      : heap_(order), eligible_(eligible) {}

 private:
  DestinationHeap heap_;
  Eligible eligible_;
};

}  // namespace lvs
