// The index behind lc, wlc and the lblc/lblcr fallback: the kernel rescans the whole list per
// decision (O(n)); this answers in O(1) and absorbs one counter change in O(log n), with exactly
// the kernel's answer.
//
// The order is the kernel scan's: least load first, and among equal loads the server nearer
// the list head (larger list_seq), because the scan replaces its candidate only on a strictly
// smaller load.
//
// It is a tournament (winner) tree rather than a binary heap: each destination keeps one leaf
// for as long as it is a member (Destination::sched_slot, so a scheduler using this index owns
// the sched_slot of the destinations it is fed), and an update replays the matches on the
// leaf's path to the root. Nothing moves between slots, so an update never writes to other
// destinations, the path is fixed (no data-dependent sifting), siblings sit side by side, and the
// replay stops as soon as a match's winner is unchanged. Keys are copied into the nodes, so no
// match chases a pointer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/destination.h"

namespace lvs {

class DestinationHeap {
 public:
  enum class Order : std::uint8_t {
    Overhead,           // lc: overhead()
    OverheadPerWeight,  // wlc: overhead()/weight, compared as oh_a * w_b < oh_b * w_a
  };

  explicit DestinationHeap(Order order) : order_(order) {}

  // The least-loaded member, or nullptr if there is none.
  Destination* top() const { return tree_.size() > 1 ? tree_[1].dest : nullptr; }
  std::size_t size() const { return members_; }
  bool contains(const Destination& dest) const;

  // Makes `dest` a member with its current counters/weight/list_seq (member == true), or
  // removes it (member == false). O(log n).
  void set(Destination& dest, bool member);
  void erase(Destination& dest) { set(dest, false); }
  void clear();

  // Checks every match and every member's sched_slot (tests).
  bool valid() const;

 private:
  struct Node {
    Destination* dest;  // nullptr: an empty leaf, which loses every match
    std::uint32_t overhead;
    std::int32_t weight;
    std::uint64_t list_seq;
  };
  // An empty leaf: the largest load and the lowest list position (real ones start at 1).
  static constexpr Node kEmpty{nullptr, 0xffffffffu, 1, 0};

  static Node node_of(Destination& dest) {
    return Node{&dest, dest.overhead(), dest.weight, dest.list_seq};
  }
  bool before(const Node& a, const Node& b) const;
  const Node& winner(std::size_t i) const {
    return before(tree_[2 * i + 1], tree_[2 * i]) ? tree_[2 * i + 1] : tree_[2 * i];
  }
  // Replays the matches above leaf `slot` whose result may have changed.
  void replay(std::size_t slot, const Destination* changed);
  void grow();

  Order order_;
  std::size_t leaves_ = 0;           // a power of two (0 before the first member)
  std::vector<Node> tree_;           // 1-based: tree_[1] the root, leaves at [leaves_, 2*leaves_)
  std::vector<std::uint32_t> free_;  // leaves given back by removed members
  std::uint32_t next_leaf_ = 0;      // leaves never used yet start here
  std::size_t members_ = 0;
};

}  // namespace lvs
