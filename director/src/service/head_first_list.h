// A service's destinations in the kernel's list order: ip_vs_bind_dest() links a new destination
// with list_add_rcu(), at the head, and the schedulers walk the list from there. Kept contiguous
// so the schedulers see it as one span (sched/scheduler.h), with free slots in front so a head
// insert is amortised O(1): a std::vector insert at begin() moved the whole list each time, and
// 200k real servers in one service spent seconds in memmove at load and reload.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace lvs {

template <class T>
class HeadFirstList {
 public:
  using const_iterator = typename std::vector<T>::const_iterator;

  void push_front(T value) {
    if (head_ == 0) make_room();
    slots_[--head_] = value;
  }
  // Removes the element `index` places from the head, moving whichever side is shorter.
  void erase_at(std::size_t index) {
    const auto first = slots_.begin() + static_cast<std::ptrdiff_t>(head_);
    const auto pos = first + static_cast<std::ptrdiff_t>(index);
    if (index < size() / 2) {
      std::move_backward(first, pos, pos + 1);
      *first = T{};
      ++head_;
    } else {
      std::move(pos + 1, slots_.end(), pos);
      slots_.pop_back();
    }
  }
  void clear() {
    slots_.clear();
    head_ = 0;
  }

  const T* data() const { return slots_.data() + head_; }
  std::size_t size() const { return slots_.size() - head_; }
  bool empty() const { return size() == 0; }
  const_iterator begin() const { return slots_.cbegin() + static_cast<std::ptrdiff_t>(head_); }
  const_iterator end() const { return slots_.cend(); }

 private:
  // Doubles the room in front (at least 8 slots), keeping the order.
  void make_room() {
    const std::size_t n = size();
    const std::size_t room = std::max<std::size_t>(n, 8);
    std::vector<T> next(room + n);
    std::copy(begin(), end(), next.begin() + static_cast<std::ptrdiff_t>(room));
    slots_ = std::move(next);
    head_ = room;
  }

  std::vector<T> slots_;  // [head_, end): the list, head first; [0, head_): free
  std::size_t head_ = 0;
};

}  // namespace lvs
