// A hashed timer wheel over records that live in someone else's arena, so expiring a million
// connections needs no OS timer and no allocation per connection.
//
// Each record carries four fields the wheel owns: `expires` (absolute TimeMs), `wheel_next`,
// `wheel_prev` (32-bit indices, doubly linked so cancel is O(1)) and `wheel_slot`. Slots are
// kSlotMs wide; a record due at tick T sits in slot T mod kSlots and is checked against its exact
// `expires` when that slot is visited, so any timeout (31 days is ~2600 laps) works and a record
// never fires before its time. Time is 64-bit milliseconds: at that width the tick counter cannot
// wrap during any uptime, so no serial-number arithmetic is needed.
//
// Re-arming is the per-packet operation (IPVS re-arms on every packet, __ip_vs_conn_put_timer())
// and is lazy: pushing a deadline later only rewrites `expires`; the record moves when the wheel
// next visits its slot. Only a deadline earlier than that visit (ESTABLISHED -> FIN_WAIT) relinks.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace lvs {

inline constexpr std::uint32_t kNilIndex = 0xffffffffu;

// Arena: `Record& operator[](std::uint32_t)` where Record has TimeMs-compatible `expires`,
// std::uint32_t `wheel_next`/`wheel_prev` and std::uint16_t `wheel_slot`.
template <class Arena>
class TimerWheel {
 public:
  static constexpr std::uint64_t kSlotShift = 8;  // 256 ms slots
  static constexpr std::uint64_t kSlotMs = std::uint64_t{1} << kSlotShift;
  static constexpr std::uint32_t kSlotBits = 12;  // 4096 slots: one lap ~ 17.5 min
  static constexpr std::uint32_t kSlots = 1u << kSlotBits;

  explicit TimerWheel(std::uint64_t now_ms = 0)
      : slots_(kSlots, kNilIndex), cursor_(now_ms >> kSlotShift) {}

  // A record's wheel_slot value while it is on no list (set it so in fresh records).
  static constexpr std::uint16_t kDetached = 0xffff;

  // Links a record that is not on the wheel, due at `expires`.
  void schedule(Arena& arena, std::uint32_t index, std::uint64_t expires) {
    arena[index].expires = expires;
    link(arena, index, std::max(expires >> kSlotShift, cursor_));
  }

  // Moves the deadline of a record (O(1); lazy when the deadline moves later; links it if it is
  // on no list, e.g. from inside on_expired).
  void rearm(Arena& arena, std::uint32_t index, std::uint64_t expires) {
    auto& rec = arena[index];
    rec.expires = expires;
    const std::uint64_t tick = expires >> kSlotShift;
    if (rec.wheel_slot != kDetached) {
      if (tick >= next_visit(rec.wheel_slot)) return;  // the visit will re-slot it
      unlink(arena, index);
    }
    link(arena, index, std::max(tick, cursor_));
  }

  // Unlinks a record (it will not fire).
  void cancel(Arena& arena, std::uint32_t index) { unlink(arena, index); }

  // Fires every record with expires <= now: each is unlinked, then `on_expired(index)` is called
  // (which may schedule() it again). Visits at most one lap of slots however far `now` jumped.
  template <class OnExpired>
  std::size_t advance(Arena& arena, std::uint64_t now, OnExpired&& on_expired) {
    const std::uint64_t now_tick = std::max(now >> kSlotShift, cursor_);
    std::uint64_t first = cursor_;
    if (now_tick - first >= kSlots) first = now_tick - kSlots + 1;
    std::size_t fired = 0;
    for (std::uint64_t t = first; t <= now_tick; ++t) {
      const std::uint32_t slot = static_cast<std::uint32_t>(t & (kSlots - 1));
      std::uint32_t index = slots_[slot];
      slots_[slot] = kNilIndex;  // detach: records re-slotted here land on a fresh list
      while (index != kNilIndex) {
        auto& rec = arena[index];
        const std::uint32_t next = rec.wheel_next;
        rec.wheel_next = rec.wheel_prev = kNilIndex;
        rec.wheel_slot = kDetached;
        if (rec.expires <= now) {
          ++fired;
          on_expired(index);
        } else {
          link(arena, index, std::max(rec.expires >> kSlotShift, t));
        }
        index = next;
      }
    }
    // The current tick stays the cursor: records due later within it must be seen next call.
    cursor_ = now_tick;
    return fired;
  }

  std::uint64_t cursor_tick() const { return cursor_; }
  std::size_t memory_bytes() const { return slots_.capacity() * sizeof(std::uint32_t); }

 private:
  // The first tick >= cursor_ at which `slot` is visited.
  std::uint64_t next_visit(std::uint16_t slot) const {
    const std::uint64_t behind = (slot - cursor_) & (kSlots - 1);
    return cursor_ + behind;
  }

  void link(Arena& arena, std::uint32_t index, std::uint64_t tick) {
    const auto slot = static_cast<std::uint16_t>(tick & (kSlots - 1));
    auto& rec = arena[index];
    rec.wheel_slot = slot;
    rec.wheel_prev = kNilIndex;
    rec.wheel_next = slots_[slot];
    if (rec.wheel_next != kNilIndex) arena[rec.wheel_next].wheel_prev = index;
    slots_[slot] = index;
  }

  void unlink(Arena& arena, std::uint32_t index) {
    auto& rec = arena[index];
    if (rec.wheel_slot == kDetached) return;
    if (rec.wheel_prev != kNilIndex) {
      arena[rec.wheel_prev].wheel_next = rec.wheel_next;
    } else {
      slots_[rec.wheel_slot] = rec.wheel_next;
    }
    if (rec.wheel_next != kNilIndex) arena[rec.wheel_next].wheel_prev = rec.wheel_prev;
    rec.wheel_next = rec.wheel_prev = kNilIndex;
    rec.wheel_slot = kDetached;
  }

  std::vector<std::uint32_t> slots_;  // list heads
  std::uint64_t cursor_;              // tick of the last advance (or construction)
};

}  // namespace lvs
