// An indexed binary min-heap of destinations, the index behind lc and wlc: the kernel rescans
// the whole list per decision (O(n)); the heap answers in O(1) and absorbs one counter change
// in O(log n), with exactly the kernel's answer.
//
// The order is the kernel scan's: least load first, and among equal loads the server nearer
// the list head (larger list_seq), because the scan replaces its candidate only on a strictly
// smaller load. Keys are copied into the heap nodes (no pointer chasing while sifting) and
// refreshed by set(); Destination::sched_slot holds each member's node index, so a scheduler
// using this heap owns the sched_slot of the destinations it is fed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "service/destination.h"

namespace lvs {

class DestinationHeap {
 public:
  enum class Order : std::uint8_t {
    Overhead,           // lc: overhead()
    OverheadPerWeight,  // wlc: overhead()/weight, compared as oh_a * w_b < oh_b * w_a
  };

  explicit DestinationHeap(Order order) : order_(order) {}

  // The least-loaded member, or nullptr if there is none.
  Destination* top() const { return nodes_.empty() ? nullptr : nodes_.front().dest; }
  std::size_t size() const { return nodes_.size(); }
  bool contains(const Destination& dest) const;

  // Makes `dest` a member with its current counters/weight/list_seq (member == true), or
  // removes it (member == false). O(log n).
  void set(Destination& dest, bool member);
  void erase(Destination& dest) { set(dest, false); }
  void clear();

  // Checks the heap invariant and every member's sched_slot (tests).
  bool valid() const;

 private:
  struct Node {
    Destination* dest;
    std::uint32_t overhead;
    std::int32_t weight;
    std::uint64_t list_seq;
  };

  static Node node_of(Destination& dest) {
    return Node{&dest, dest.overhead(), dest.weight, dest.list_seq};
  }
  bool before(const Node& a, const Node& b) const;
  void place(std::size_t i, const Node& node) {
    nodes_[i] = node;
    node.dest->sched_slot = static_cast<std::uint32_t>(i);
  }
  void sift_up(std::size_t i, const Node& node);
  void sift_down(std::size_t i, const Node& node);
  void remove_at(std::size_t i);

  Order order_;
  std::vector<Node> nodes_;
};

}  // namespace lvs
