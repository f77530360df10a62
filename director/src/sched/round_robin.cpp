#include "sched/round_robin.h"

#include <algorithm>

namespace lvs {

void RoundRobin::destination_added(DestinationList list, Destination& dest) {
  (void)list;
  (void)dest;
  // The kernel has no rr add_dest: the new server is linked at the head, the position pointer
  // stays on its server, which is now one index further down.
  if (cursor_ != nullptr) ++cursor_index_;
}

void RoundRobin::destination_removed(DestinationList list, Destination& dest,
                                     std::size_t old_index) {
  if (cursor_ == &dest) {
    // as ip_vs_rr_del_dest(): the pointer steps back to the previous entry (the head sentinel
    // when the removed server was first), so the next decision starts at the removed one's
    // successor.
    if (old_index == 0) {
      cursor_ = nullptr;
      cursor_index_ = 0;
    } else {
      cursor_index_ = old_index - 1;
      cursor_ = list[cursor_index_];
    }
  } else if (cursor_ != nullptr && old_index < cursor_index_) {
    --cursor_index_;
  }
}

bool RoundRobin::locate_cursor(DestinationList list) {
  if (cursor_index_ < list.size() && list[cursor_index_] == cursor_) return true;
  // The list is ordered by list_seq, largest first: find the cursor by its key.
  auto it =
      std::lower_bound(list.begin(), list.end(), cursor_->list_seq,
                       [](const Destination* d, std::uint64_t seq) { return d->list_seq > seq; });
  if (it == list.end() || *it != cursor_) return false;
  cursor_index_ = static_cast<std::size_t>(it - list.begin());
  return true;
}

Destination* RoundRobin::schedule(DestinationList list, const PacketInfo& packet, TimeMs now) {
  (void)packet;
  (void)now;
  if (cursor_ != nullptr && !locate_cursor(list)) cursor_ = nullptr;
  // as ip_vs_rr_schedule(): the first pass runs from after the pointer to the end of the list;
  // only if the pointer was on a server does a second pass run from the head up to and
  // including that server. Together: every server once, circularly, the pointed one last.
  const std::size_t n = list.size();
  const std::size_t start = cursor_ == nullptr ? 0 : cursor_index_ + 1;
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t i = start + k;
    if (i >= n) i -= n;
    Destination* d = list[i];
    if (!d->blocked() && d->weight > 0) {
      cursor_ = d;
      cursor_index_ = i;
      return d;
    }
  }
  // No hit: the kernel leaves the pointer where it was.
  return nullptr;
}

}  // namespace lvs
