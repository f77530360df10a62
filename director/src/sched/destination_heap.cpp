#include "sched/destination_heap.h"

namespace lvs {

namespace {

// Calls fn.template operator()<O>() for the heap's order O.
template <class Fn>
decltype(auto) with_order(DestinationHeap::Order order, Fn&& fn) {
  using Order = DestinationHeap::Order;
  switch (order) {
    case Order::Overhead:
      return fn.template operator()<Order::Overhead>();
    case Order::OverheadPerWeight:
      return fn.template operator()<Order::OverheadPerWeight>();
    case Order::ExpectedDelay:
      return fn.template operator()<Order::ExpectedDelay>();
    case Order::IdleThenExpectedDelay:
      return fn.template operator()<Order::IdleThenExpectedDelay>();
    case Order::Weight:
      break;
  }
  return fn.template operator()<Order::Weight>();
}

}  // namespace

template <DestinationHeap::Order O>
std::uint32_t DestinationHeap::load_of(const Destination& dest) {
  if constexpr (O == Order::Overhead || O == Order::OverheadPerWeight) {
    return dest.overhead();
  } else if constexpr (O == Order::ExpectedDelay || O == Order::IdleThenExpectedDelay) {
    return dest.activeconns;
  } else {
    return 0;
  }
}

std::uint32_t DestinationHeap::load_of(const Destination& dest) const {
  return with_order(order_, [&]<Order O>() { return load_of<O>(dest); });
}

template <DestinationHeap::Order O>
bool DestinationHeap::before(const Node& a, const Node& b) {
  // Lexicographic (key, -list_seq) packed into 128-bit integers so the comparison compiles
  // without branches. Equal keys: the earlier in list order (larger list_seq) is found first by
  // the kernel's scan and kept, so a comes first iff b.list_seq < a.list_seq.
  std::uint64_t lhs;
  std::uint64_t rhs;
  const auto aw = static_cast<std::uint32_t>(a.weight);
  const auto bw = static_cast<std::uint32_t>(b.weight);
  if constexpr (O == Order::Overhead) {
    // as ip_vs_lc_schedule(): `doh < loh` replaces the candidate.
    lhs = a.load;
    rhs = b.load;
  } else if constexpr (O == Order::OverheadPerWeight) {
    // as ip_vs_wlc_schedule(): `loh * dw > doh * lw` (64-bit) replaces the candidate, i.e. the
    // newcomer d wins iff doh * lw < loh * dw. Members have weight > 0, so this compares
    // overhead/weight exactly; the products fit in 64 bits.
    lhs = std::uint64_t{a.load} * bw;
    rhs = std::uint64_t{b.load} * aw;
  } else if constexpr (O == Order::ExpectedDelay) {
    // as ip_vs_sed_schedule(): the same cross-multiplication on activeconns + 1 (inactive
    // connections ignored). 2^32 * (2^31 - 1) still fits in 64 bits.
    lhs = (std::uint64_t{a.load} + 1) * bw;
    rhs = (std::uint64_t{b.load} + 1) * aw;
  } else if constexpr (O == Order::IdleThenExpectedDelay) {
    // as ip_vs_nq_schedule(): an idle server is returned as soon as the scan meets one, so
    // among idle servers only the list position counts (numerator 0: both products are 0, the
    // tie goes to list_seq), and every idle server comes before every busy one (0 < a positive
    // product). Busy servers compare as sed's.
    lhs = (std::uint64_t{a.load} + (a.load != 0)) * bw;
    rhs = (std::uint64_t{b.load} + (b.load != 0)) * aw;
  } else {
    static_assert(O == Order::Weight);
    // as ip_vs_fo_schedule() / ip_vs_ovf_schedule(): only a strictly higher weight replaces
    // the candidate, so a comes first iff (b.weight, b.list_seq) < (a.weight, a.list_seq).
    lhs = bw;
    rhs = aw;
  }
  __extension__ using u128 = unsigned __int128;
  return ((u128{lhs} << 64) | b.list_seq) < ((u128{rhs} << 64) | a.list_seq);
}

bool DestinationHeap::before(const Node& a, const Node& b) const {
  return with_order(order_, [&]<Order O>() { return before<O>(a, b); });
}

bool DestinationHeap::contains(const Destination& dest) const {
  return dest.sched_slot < leaves_ && tree_[leaves_ + dest.sched_slot].dest == &dest;
}

void DestinationHeap::set(Destination& dest, bool member) {
  with_order(order_, [&]<Order O>() { set_in<O>(dest, member); });
}

template <DestinationHeap::Order O>
void DestinationHeap::set_in(Destination& dest, bool member) {
  const bool present = contains(dest);
  if (!member) {
    if (present) {
      const std::uint32_t slot = dest.sched_slot;
      tree_[leaves_ + slot] = kEmpty;
      replay<O>(slot, &dest);
      free_.push_back(slot);
      --members_;
    }
    dest.sched_slot = Destination::kNoSlot;
    return;
  }
  if (!present) {
    if (free_.empty() && next_leaf_ == leaves_) grow();
    std::uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else {
      slot = next_leaf_++;
    }
    dest.sched_slot = slot;
    ++members_;
  }
  const Node node{&dest, load_of<O>(dest), dest.weight, dest.list_seq};
  Node& leaf = tree_[leaves_ + dest.sched_slot];
  // A change the order does not read (sed's inactive connections, fo's counters): every match
  // sees what it saw before. (lc and wlc read every counter: the test would only cost them.)
  if constexpr (O != Order::Overhead && O != Order::OverheadPerWeight) {
    if (present && leaf == node) return;
  }
  leaf = node;
  replay<O>(dest.sched_slot, &dest);
}

template <DestinationHeap::Order O>
void DestinationHeap::replay(std::size_t slot, const Destination* changed) {
  // The match winner climbs in a register; each level only reads the sibling, so the loop is
  // not one long chain of stores and reloads. Real keys never tie (list_seq is unique within a
  // service) and two empty leaves are interchangeable, so which side wins a tie is immaterial.
  std::size_t i = leaves_ + slot;
  Node up = tree_[i];
  while (i > 1) {
    const Node& sibling = tree_[i ^ 1];
    if (before<O>(sibling, up)) up = sibling;
    i /= 2;
    // Neither the old nor the new winner is the changed destination and they are the same
    // server: every match above sees exactly what it saw before.
    if (up.dest == tree_[i].dest && up.dest != changed) return;
    tree_[i] = up;
  }
}

void DestinationHeap::grow() {
  const std::size_t old_leaves = leaves_;
  leaves_ = old_leaves == 0 ? 8 : old_leaves * 2;
  std::vector<Node> tree(2 * leaves_, kEmpty);
  for (std::size_t s = 0; s < old_leaves; ++s) tree[leaves_ + s] = tree_[old_leaves + s];
  tree_ = std::move(tree);
  for (std::size_t i = leaves_ - 1; i >= 1; --i) tree_[i] = winner(i);
}

void DestinationHeap::clear() {
  for (std::size_t s = 0; s < leaves_; ++s) {
    if (Destination* d = tree_[leaves_ + s].dest) d->sched_slot = Destination::kNoSlot;
  }
  tree_.clear();
  free_.clear();
  leaves_ = 0;
  next_leaf_ = 0;
  members_ = 0;
}

bool DestinationHeap::valid() const {
  std::size_t members = 0;
  for (std::size_t s = 0; s < leaves_; ++s) {
    const Node& n = tree_[leaves_ + s];
    if (n.dest == nullptr) continue;
    ++members;
    if (n.dest->sched_slot != s) return false;
    if (n.load != load_of(*n.dest) || n.weight != n.dest->weight ||
        n.list_seq != n.dest->list_seq) {
      return false;
    }
  }
  if (members != members_) return false;
  for (std::size_t i = 1; i < leaves_; ++i) {
    if (tree_[i].dest != winner(i).dest) return false;
  }
  return true;
}

}  // namespace lvs
