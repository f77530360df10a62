// The service's linked servers, indexed for the two list scans that lblc and lblcr make on every
// decision in the kernel:
//   - __ip_vs_lblc_schedule() / __ip_vs_lblcr_schedule(): the weighted-least-connection server
//     (least overhead/weight among servers with weight > 0 and no IP_VS_DEST_F_OVERLOAD flag,
//     ties to the first in list order), kept here as an indexed binary heap: O(1) to read,
//     O(log n) per counter change;
//   - is_overloaded(): "is there a linked server with activeconns*2 < weight", kept as a count.
// Destination::sched_slot is this index's slot number for the destination.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "service/destination.h"

namespace lvs {

class LocalityServerIndex {
 public:
  // A destination was linked into the service list (it must not already be indexed).
  void add(Destination& dest);
  // A destination was unlinked; its slot is freed and sched_slot reset.
  void remove(Destination& dest);
  // Weight, thresholds, the overload flag or the connection counters of an indexed destination
  // changed.
  void refresh(Destination& dest);

  // The server __ip_vs_lblc_schedule() would pick, or nullptr when none qualifies.
  Destination* least_loaded() const { return heap_.empty() ? nullptr : slots_[heap_.front()].dest; }

  // as is_overloaded() in ip_vs_lblc.c / ip_vs_lblcr.c: more active connections than its
  // weight while some linked server (any, whatever its flags) has activeconns*2 < weight.
  bool locality_overloaded(const Destination& dest) const {
    return std::int64_t{dest.activeconns} > std::int64_t{dest.weight} && underloaded_count_ > 0;
  }

  std::size_t size() const { return slots_.size() - free_slots_.size(); }

 private:
  static constexpr std::uint32_t kNotInHeap = 0xffffffffu;

  struct Slot {
    Destination* dest = nullptr;
    std::uint32_t heap_pos = kNotInHeap;
    bool underloaded = false;  // activeconns*2 < weight when last seen
  };

  // True if `a` is strictly preferred to `b` by the kernel's scan: a smaller overhead/weight,
  // or an equal one and nearer the list head.
  bool better(std::uint32_t a, std::uint32_t b) const;
  void heap_insert(std::uint32_t slot);
  void heap_erase(std::uint32_t slot);
  void heap_fix(std::uint32_t slot);
  void sift_up(std::size_t pos);
  void sift_down(std::size_t pos);
  void place(std::size_t pos, std::uint32_t slot);

  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::vector<std::uint32_t> heap_;  // slot numbers, heap_[0] = the least loaded
  std::size_t underloaded_count_ = 0;
};

}  // namespace lvs
