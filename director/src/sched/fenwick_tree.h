// A Fenwick (binary indexed) tree of non-negative weights over positions 0..size()-1: the sum of
// a prefix, a change of one weight, and "the first position whose prefix sum reaches v" each in
// O(log n); appending a position is O(log n) too, so a list that only grows at one end never
// needs a rebuild. twos (sched/power_of_two_choices.h) walks the kernel's weighted list with it.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace lvs {

class FenwickTree {
 public:
  std::size_t size() const { return tree_.size() - 1; }
  std::int64_t total() const { return total_; }

  void clear() {
    tree_.assign(1, 0);
    total_ = 0;
  }

  // A new last position with `weight` (>= 0). Node i covers (i - lowbit(i), i]: its own weight
  // plus the nodes that tile (i - lowbit(i), i - 1].
  void push_back(std::int64_t weight) {
    const std::size_t i = tree_.size();
    std::int64_t sum = weight;
    for (std::size_t j = i - 1; j > i - lowbit(i); j -= lowbit(j)) sum += tree_[j];
    tree_.push_back(sum);
    total_ += weight;
  }

  // Adds `delta` to the weight at `pos` (the weight must stay >= 0).
  void add(std::size_t pos, std::int64_t delta) {
    for (std::size_t i = pos + 1; i < tree_.size(); i += lowbit(i)) tree_[i] += delta;
    total_ += delta;
  }

  // Sum of the weights at positions 0..pos.
  std::int64_t prefix(std::size_t pos) const {
    std::int64_t sum = 0;
    for (std::size_t i = pos + 1; i > 0; i -= lowbit(i)) sum += tree_[i];
    return sum;
  }

  // The smallest position whose prefix sum is >= v, for 1 <= v <= total(). Its weight is > 0
  // (the prefix sum rises there), so positions of weight 0 are never the answer.
  std::size_t lower_bound(std::int64_t v) const {
    const std::size_t n = size();
    std::size_t pos = 0;  // 1-based: prefix(pos) < v throughout
    for (std::size_t step = std::bit_floor(n); step != 0; step >>= 1) {
      const std::size_t next = pos + step;
      if (next <= n && tree_[next] < v) {
        pos = next;
        v -= tree_[next];
      }
    }
    return pos;  // 0-based: position pos holds the answer (1-based pos + 1)
  }

 private:
  static std::size_t lowbit(std::size_t i) { return i & (~i + 1); }

  std::vector<std::int64_t> tree_ = std::vector<std::int64_t>(1, 0);  // 1-based; [0] unused
  std::int64_t total_ = 0;
};

}  // namespace lvs
