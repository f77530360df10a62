// The index behind lc, wlc, sed, nq, fo, ovf and the lblc/lblcr fallback: the kernel rescans the
// whole list per decision (O(n)); this answers in O(1) and absorbs one counter change in
// O(log n), with exactly the kernel's answer.
//
// The order is the kernel scan's: least load first (for fo/ovf: highest weight first), and among
// equal keys the server nearer the list head (larger list_seq), because each scan replaces its
// candidate only on a strictly better key.
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
    ExpectedDelay,      // sed: (activeconns + 1)/weight, compared the same way
    // nq: the idle servers (activeconns == 0) first, by list position alone, then the others
    // in ExpectedDelay order. One order (an idle server's delay counts as 0/weight), so one
    // leaf per server.
    IdleThenExpectedDelay,
    Weight,  // fo, ovf: the highest weight first
  };

  explicit DestinationHeap(Order order) : order_(order) {}

  // The first member in the order (the least loaded; fo/ovf: the heaviest), or nullptr.
  Destination* top() const { return tree_.size() > 1 ? tree_[1].dest : nullptr; }
  std::size_t size() const { return members_; }
  bool contains(const Destination& dest) const;

  // Makes `dest` a member with its current counters/weight/list_seq (member == true), or
  // removes it (member == false). O(log n); O(1) when nothing the order reads has changed.
  void set(Destination& dest, bool member);
  void erase(Destination& dest) { set(dest, false); }
  void clear();

  // Checks every match and every member's sched_slot (tests).
  bool valid() const;

 private:
  struct Node {
    Destination* dest;   // nullptr: an empty leaf, which loses every match
    std::uint32_t load;  // the counter the order reads (load_of())
    std::int32_t weight;
    std::uint64_t list_seq;
    bool operator==(const Node&) const = default;
  };
  // An empty leaf: the largest load and the lowest list position (real ones start at 1), so it
  // loses to every member in every order (members have weight >= 1).
  static constexpr Node kEmpty{nullptr, 0xffffffffu, 1, 0};

  // The work of set(), replay() and the rest is written once per order (a template argument),
  // so the hot paths compile to straight-line code for the order at hand; the public functions
  // dispatch on order_ once.

  // overhead() for lc/wlc, activeconns for sed/nq, nothing for fo/ovf (weight only): a counter
  // the order ignores is left out, so a change to it leaves the leaf as it was (set() stops).
  template <Order O>
  static std::uint32_t load_of(const Destination& dest);
  std::uint32_t load_of(const Destination& dest) const;
  // Whether a comes before b in order O.
  template <Order O>
  static bool before(const Node& a, const Node& b);
  bool before(const Node& a, const Node& b) const;
  const Node& winner(std::size_t i) const {
    return before(tree_[2 * i + 1], tree_[2 * i]) ? tree_[2 * i + 1] : tree_[2 * i];
  }
  template <Order O>
  void set_in(Destination& dest, bool member);
  // Replays the matches above leaf `slot` whose result may have changed.
  template <Order O>
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
