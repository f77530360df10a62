// The hashed timer wheel: exact firing (never early), lazy and eager re-arming, cancel, many
// slots and laps, 31-day timeouts, time jumps and a start far from zero.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "conn/timer_wheel.h"

namespace lvs {
namespace {

struct Rec {
  std::uint64_t expires = 0;
  std::uint32_t wheel_next = kNilIndex;
  std::uint32_t wheel_prev = kNilIndex;
  std::uint16_t wheel_slot = 0xffff;
};
struct VecArena {
  std::vector<Rec> v;
  Rec& operator[](std::uint32_t i) { return v[i]; }
};
using Wheel = TimerWheel<VecArena>;

std::vector<std::uint32_t> advance(Wheel& w, VecArena& a, std::uint64_t now) {
  std::vector<std::uint32_t> fired;
  w.advance(a, now, [&](std::uint32_t i) { fired.push_back(i); });
  return fired;
}

TEST(ConnTimerWheel, FiresExactlyAtDeadlineNotBefore) {
  VecArena a{std::vector<Rec>(3)};
  Wheel w(1000);
  w.schedule(a, 0, 1000 + 60'000);
  w.schedule(a, 1, 1000 + 60'001);  // same 256 ms slot, 1 ms later
  w.schedule(a, 2, 1000 + 10);
  EXPECT_TRUE(advance(w, a, 1009).empty());
  EXPECT_EQ(advance(w, a, 1010), std::vector<std::uint32_t>{2});
  EXPECT_TRUE(advance(w, a, 60'999).empty());
  EXPECT_EQ(advance(w, a, 61'000), std::vector<std::uint32_t>{0});
  EXPECT_EQ(advance(w, a, 61'001), std::vector<std::uint32_t>{1});
}

TEST(ConnTimerWheel, LazyRearmLaterMovesDeadline) {
  VecArena a{std::vector<Rec>(1)};
  Wheel w(0);
  w.schedule(a, 0, 10'000);
  // Re-armed on every "packet" each second: the deadline is always last packet + 10 s.
  for (std::uint64_t t = 1000; t <= 100'000; t += 1000) {
    EXPECT_TRUE(advance(w, a, t).empty()) << t;
    w.rearm(a, 0, t + 10'000);
  }
  EXPECT_TRUE(advance(w, a, 109'999).empty());
  EXPECT_EQ(advance(w, a, 110'000), std::vector<std::uint32_t>{0});
}

TEST(ConnTimerWheel, RearmEarlierRelinksSoItIsNotLate) {
  VecArena a{std::vector<Rec>(1)};
  Wheel w(0);
  w.schedule(a, 0, 900'000);      // ESTABLISHED
  w.rearm(a, 0, 5'000 + 10'000);  // then CLOSE at t=5 s: 10 s
  EXPECT_TRUE(advance(w, a, 14'999).empty());
  EXPECT_EQ(advance(w, a, 15'000), std::vector<std::uint32_t>{0});
  EXPECT_TRUE(advance(w, a, 2'000'000).empty());  // never fires twice
}

TEST(ConnTimerWheel, CancelledNeverFires) {
  VecArena a{std::vector<Rec>(2)};
  Wheel w(0);
  w.schedule(a, 0, 500);
  w.schedule(a, 1, 500);
  w.cancel(a, 0);
  EXPECT_EQ(advance(w, a, 10'000), std::vector<std::uint32_t>{1});
}

TEST(ConnTimerWheel, ManySlotsAndLapsInOrder) {
  // 10000 records due every 347 ms over ~58 min (more than three laps of the wheel), advanced
  // in 1 s steps: each fires in the step that reaches its deadline, none early.
  const std::uint32_t n = 10'000;
  VecArena a{std::vector<Rec>(n)};
  Wheel w(0);
  for (std::uint32_t i = 0; i < n; ++i) w.schedule(a, i, 1 + std::uint64_t{i} * 347);
  std::uint32_t fired_total = 0;
  for (std::uint64_t now = 0; now <= std::uint64_t{n} * 347 + 1000; now += 1000) {
    for (std::uint32_t i : advance(w, a, now)) {
      EXPECT_LE(a[i].expires, now);
      EXPECT_GT(a[i].expires + 1000, now) << "fired late";
      ++fired_total;
    }
  }
  EXPECT_EQ(fired_total, n);
}

TEST(ConnTimerWheel, ThirtyOneDayTimeout) {
  VecArena a{std::vector<Rec>(1)};
  Wheel w(0);
  const std::uint64_t month = 2'678'400ull * 1000;
  w.schedule(a, 0, month);
  for (std::uint64_t now = 0; now < month; now += 60'000) ASSERT_TRUE(advance(w, a, now).empty());
  EXPECT_TRUE(advance(w, a, month - 1).empty());
  EXPECT_EQ(advance(w, a, month), std::vector<std::uint32_t>{0});
}

TEST(ConnTimerWheel, BigJumpVisitsEveryRecordOnce) {
  VecArena a{std::vector<Rec>(3)};
  Wheel w(0);
  w.schedule(a, 0, 5'000);
  w.schedule(a, 1, 4'000'000);    // ~4 laps away
  w.schedule(a, 2, 100'000'000);  // far beyond the jump
  const auto fired = advance(w, a, 50'000'000);
  EXPECT_EQ(fired.size(), 2u);
  EXPECT_TRUE(advance(w, a, 99'999'999).empty());
  EXPECT_EQ(advance(w, a, 100'000'000), std::vector<std::uint32_t>{2});
}

TEST(ConnTimerWheel, LongUptimeStart) {
  // 2^50 ms (~35700 years) of uptime: ticks are 64-bit, nothing wraps.
  const std::uint64_t t0 = std::uint64_t{1} << 50;
  VecArena a{std::vector<Rec>(2)};
  Wheel w(t0);
  w.schedule(a, 0, t0 + 120'000);
  w.schedule(a, 1, t0 + 2'678'400'000ull);
  EXPECT_TRUE(advance(w, a, t0 + 119'999).empty());
  EXPECT_EQ(advance(w, a, t0 + 120'000), std::vector<std::uint32_t>{0});
  EXPECT_TRUE(advance(w, a, t0 + 2'678'399'999ull).empty());
  EXPECT_EQ(advance(w, a, t0 + 2'678'400'000ull), std::vector<std::uint32_t>{1});
}

TEST(ConnTimerWheel, RescheduleFromCallback) {
  VecArena a{std::vector<Rec>(1)};
  Wheel w(0);
  w.schedule(a, 0, 1000);
  int calls = 0;
  w.advance(a, 1000, [&](std::uint32_t i) {
    ++calls;
    w.schedule(a, i, 1000 + 60'000);  // expire_later
  });
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(advance(w, a, 60'999).empty());
  EXPECT_EQ(advance(w, a, 61'000), std::vector<std::uint32_t>{0});
}

}  // namespace
}  // namespace lvs
