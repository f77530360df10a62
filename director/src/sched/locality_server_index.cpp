#include "sched/locality_server_index.h"

namespace lvs {

namespace {

// as __ip_vs_lblc_schedule(): servers flagged IP_VS_DEST_F_OVERLOAD are skipped, and a server
// of weight 0 can never win (loh * 0 > doh * lw is false), so neither is a candidate.
bool candidate(const Destination& dest) { return dest.weight > 0 && !dest.overloaded; }

// The scan in is_overloaded(): a server with less than half its weight in active connections.
bool underloaded(const Destination& dest) {
  return std::int64_t{dest.activeconns} * 2 < std::int64_t{dest.weight};
}

}  // namespace

void LocalityServerIndex::add(Destination& dest) {
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  slots_[slot] = Slot{&dest, kNotInHeap, false};
  dest.sched_slot = slot;
  refresh(dest);
}

void LocalityServerIndex::remove(Destination& dest) {
  const std::uint32_t slot = dest.sched_slot;
  if (slot >= slots_.size() || slots_[slot].dest != &dest) return;
  if (slots_[slot].heap_pos != kNotInHeap) heap_erase(slot);
  if (slots_[slot].underloaded) --underloaded_count_;
  slots_[slot] = Slot{};
  free_slots_.push_back(slot);
  dest.sched_slot = Destination::kNoSlot;
}

void LocalityServerIndex::refresh(Destination& dest) {
  const std::uint32_t slot = dest.sched_slot;
  if (slot >= slots_.size() || slots_[slot].dest != &dest) return;
  Slot& s = slots_[slot];

  const bool now_underloaded = underloaded(dest);
  if (now_underloaded != s.underloaded) {
    s.underloaded = now_underloaded;
    if (now_underloaded) {
      ++underloaded_count_;
    } else {
      --underloaded_count_;
    }
  }

  const bool in_heap = s.heap_pos != kNotInHeap;
  if (candidate(dest)) {
    if (in_heap) {
      heap_fix(slot);
    } else {
      heap_insert(slot);
    }
  } else if (in_heap) {
    heap_erase(slot);
  }
}

bool LocalityServerIndex::better(std::uint32_t a, std::uint32_t b) const {
  const Destination& da = *slots_[a].dest;
  const Destination& db = *slots_[b].dest;
  // as __ip_vs_lblc_schedule(): "loh * dw > doh * lw" replaces the least, so the least is the
  // smallest overhead/weight and an equal one keeps the server met first (nearer the head).
  // Both weights are > 0 here; the products fit in 64 bits (2^32 * 2^31).
  const std::uint64_t lhs = std::uint64_t{da.overhead()} * static_cast<std::uint64_t>(db.weight);
  const std::uint64_t rhs = std::uint64_t{db.overhead()} * static_cast<std::uint64_t>(da.weight);
  if (lhs != rhs) return lhs < rhs;
  return da.list_seq > db.list_seq;
}

void LocalityServerIndex::place(std::size_t pos, std::uint32_t slot) {
  heap_[pos] = slot;
  slots_[slot].heap_pos = static_cast<std::uint32_t>(pos);
}

void LocalityServerIndex::sift_up(std::size_t pos) {
  const std::uint32_t slot = heap_[pos];
  while (pos > 0) {
    const std::size_t parent = (pos - 1) / 2;
    if (!better(slot, heap_[parent])) break;
    place(pos, heap_[parent]);
    pos = parent;
  }
  place(pos, slot);
}

void LocalityServerIndex::sift_down(std::size_t pos) {
  const std::uint32_t slot = heap_[pos];
  const std::size_t n = heap_.size();
  for (;;) {
    std::size_t child = 2 * pos + 1;
    if (child >= n) break;
    if (child + 1 < n && better(heap_[child + 1], heap_[child])) ++child;
    if (!better(heap_[child], slot)) break;
    place(pos, heap_[child]);
    pos = child;
  }
  place(pos, slot);
}

void LocalityServerIndex::heap_insert(std::uint32_t slot) {
  heap_.push_back(slot);
  sift_up(heap_.size() - 1);
}

void LocalityServerIndex::heap_erase(std::uint32_t slot) {
  const std::size_t pos = slots_[slot].heap_pos;
  slots_[slot].heap_pos = kNotInHeap;
  const std::uint32_t last = heap_.back();
  heap_.pop_back();
  if (pos == heap_.size()) return;  // it was the last element
  place(pos, last);
  heap_fix(last);
}

void LocalityServerIndex::heap_fix(std::uint32_t slot) {
  const std::size_t pos = slots_[slot].heap_pos;
  if (pos > 0 && better(slot, heap_[(pos - 1) / 2])) {
    sift_up(pos);
  } else {
    sift_down(pos);
  }
}

}  // namespace lvs
