#include "sched/destination_heap.h"

namespace lvs {

bool DestinationHeap::before(const Node& a, const Node& b) const {
  // Lexicographic (load, -list_seq) packed into 128-bit integers so the comparison compiles
  // without branches: sift paths are data-dependent, and mispredictions cost more than the
  // arithmetic. Equal load: the earlier in list order (larger list_seq) is found first by the
  // kernel's scan and kept, so a comes first iff b.list_seq < a.list_seq.
  std::uint64_t lhs;
  std::uint64_t rhs;
  if (order_ == Order::Overhead) {
    // as ip_vs_lc_schedule(): `doh < loh` replaces the candidate.
    lhs = a.overhead;
    rhs = b.overhead;
  } else {
    // as ip_vs_wlc_schedule(): `loh * dw > doh * lw` (64-bit) replaces the candidate, i.e. the
    // newcomer d wins iff doh * lw < loh * dw. Members have weight > 0, so this compares
    // overhead/weight exactly; the products fit in 63 bits.
    lhs = std::uint64_t{a.overhead} * static_cast<std::uint32_t>(b.weight);
    rhs = std::uint64_t{b.overhead} * static_cast<std::uint32_t>(a.weight);
  }
  __extension__ using u128 = unsigned __int128;
  return ((u128{lhs} << 64) | b.list_seq) < ((u128{rhs} << 64) | a.list_seq);
}

bool DestinationHeap::contains(const Destination& dest) const {
  return dest.sched_slot < nodes_.size() && nodes_[dest.sched_slot].dest == &dest;
}

void DestinationHeap::set(Destination& dest, bool member) {
  const bool present = contains(dest);
  if (!member) {
    if (present) remove_at(dest.sched_slot);
    dest.sched_slot = Destination::kNoSlot;
    return;
  }
  const Node node = node_of(dest);
  if (!present) {
    nodes_.push_back(node);
    sift_up(nodes_.size() - 1, node);
    return;
  }
  const std::size_t i = dest.sched_slot;
  if (i > 0 && before(node, nodes_[(i - 1) / 2])) {
    sift_up(i, node);
  } else {
    sift_down(i, node);
  }
}

void DestinationHeap::clear() {
  for (const Node& n : nodes_) n.dest->sched_slot = Destination::kNoSlot;
  nodes_.clear();
}

void DestinationHeap::sift_up(std::size_t i, const Node& node) {
  while (i > 0) {
    const std::size_t parent = (i - 1) / 2;
    if (!before(node, nodes_[parent])) break;
    place(i, nodes_[parent]);
    i = parent;
  }
  place(i, node);
}

void DestinationHeap::sift_down(std::size_t i, const Node& node) {
  // Bottom-up (Floyd): a server that just got a connection usually sinks nearly to the
  // leaves, so first walk the hole down along the lesser children (one comparison per level),
  // then climb back up to where `node` belongs (usually a step or two).
  const std::size_t n = nodes_.size();
  std::size_t hole = i;
  for (;;) {
    std::size_t child = 2 * hole + 1;
    if (child >= n) break;
    if (child + 1 < n && before(nodes_[child + 1], nodes_[child])) ++child;
    place(hole, nodes_[child]);
    hole = child;
  }
  while (hole > i) {
    const std::size_t parent = (hole - 1) / 2;
    if (!before(node, nodes_[parent])) break;
    place(hole, nodes_[parent]);
    hole = parent;
  }
  place(hole, node);
}

void DestinationHeap::remove_at(std::size_t i) {
  nodes_[i].dest->sched_slot = Destination::kNoSlot;
  const Node moved = nodes_.back();
  nodes_.pop_back();
  if (i == nodes_.size()) return;  // removed the last node
  if (i > 0 && before(moved, nodes_[(i - 1) / 2])) {
    sift_up(i, moved);
  } else {
    sift_down(i, moved);
  }
}

bool DestinationHeap::valid() const {
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const Node& n = nodes_[i];
    if (n.dest->sched_slot != i) return false;
    if (n.overhead != n.dest->overhead() || n.weight != n.dest->weight ||
        n.list_seq != n.dest->list_seq) {
      return false;
    }
    if (i > 0 && before(n, nodes_[(i - 1) / 2])) return false;
  }
  return true;
}

}  // namespace lvs
