// A Fenwick (binary indexed) tree of non-negative weights over positions 0..size()-1: the sum of
// a prefix, a change of one weight, and "the first position whose prefix sum reaches v" each in
// O(log n); appending a position is O(log n) amortised too, so a list that only grows at one end
// never needs a rebuild. twos (sched/power_of_two_choices.h) walks the kernel's weighted list
// with it.
//
// The tree spans a power-of-two capacity (positions past size() weigh 0), so the search needs no
// bounds check and is written without branches: its steps go left or right at random (the
// positions twos looks for are random), and a mispredicted branch per level cost more than the
// rest of the search.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace lvs {

class FenwickTree {
 public:
  std::size_t size() const { return size_; }
  std::int64_t total() const { return total_; }

  void clear() {
    tree_.assign(2, 0);
    capacity_ = 1;
    size_ = 0;
    total_ = 0;
  }

  // A new last position with `weight` (>= 0).
  void push_back(std::int64_t weight) {
    if (size_ == capacity_) grow();
    ++size_;
    add(size_ - 1, weight);
  }

  // Adds `delta` to the weight at `pos` (the weight must stay >= 0).
  void add(std::size_t pos, std::int64_t delta) {
    for (std::size_t i = pos + 1; i <= capacity_; i += lowbit(i)) tree_[i] += delta;
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
    const std::int64_t* node = tree_.data();
    std::size_t pos = 0;  // 1-based: prefix(pos - 1) < v throughout
    for (std::size_t step = capacity_ >> 1; step != 0; step >>= 1) {
      const std::int64_t sum = node[pos + step];
      const std::uint64_t right = 0 - static_cast<std::uint64_t>(sum < v);  // all ones or 0
      pos += step & right;
      v -= sum & static_cast<std::int64_t>(right);
    }
    return pos;  // as a 0-based position: the answer (1-based pos + 1)
  }

 private:
  static std::size_t lowbit(std::size_t i) { return i & (~i + 1); }

  // Doubles the capacity. The nodes up to the old capacity keep their ranges; of the new ones,
  // the last covers everything (the total) and the others only new, empty positions.
  void grow() {
    tree_.resize(2 * capacity_ + 1, 0);
    capacity_ *= 2;
    tree_[capacity_] = total_;
  }

  std::vector<std::int64_t> tree_ = std::vector<std::int64_t>(2, 0);  // 1-based; [0] unused
  std::size_t capacity_ = 1;                                          // a power of two
  std::size_t size_ = 0;
  std::int64_t total_ = 0;
};

}  // namespace lvs
