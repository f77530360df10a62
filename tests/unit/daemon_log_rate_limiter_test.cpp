// The log rate limiter against ___ratelimit() (lib/ratelimit.c) with net_ratelimit()'s defaults
// (burst 10, interval 5 s), on an explicit clock; plus flush(), ours (issue 12, finding 5).
#include <gtest/gtest.h>

#include "daemon/log_rate_limiter.h"

namespace lvs {
namespace {

TEST(LogRateLimiter, BurstThenSuppressedUntilTheWindowEnds) {
  LogRateLimiter limiter;  // 10 per 5000 ms
  const TimeMs t0 = 1'000'000;
  for (int i = 0; i < 10; ++i) {
    const auto d = limiter.allow(t0 + static_cast<TimeMs>(i));
    EXPECT_TRUE(d.emit);
    EXPECT_EQ(d.suppressed, 0u);
  }
  for (int i = 0; i < 178187; ++i) EXPECT_FALSE(limiter.allow(t0 + 100).emit);
  // begin + interval itself is still the window (time_is_before_jiffies is strict).
  EXPECT_FALSE(limiter.allow(t0 + 5000).emit);
  const auto d = limiter.allow(t0 + 5001);
  EXPECT_TRUE(d.emit);
  EXPECT_EQ(d.suppressed, 178188u);  // reported once, before the first line of the new window
  EXPECT_EQ(limiter.allow(t0 + 5002).suppressed, 0u);
  EXPECT_EQ(limiter.suppressed_total(), 178188u);
  EXPECT_EQ(limiter.emitted_total(), 12u);
}

TEST(LogRateLimiter, TheWindowStartsAtTheFirstLine) {
  LogRateLimiter limiter({.interval_ms = 1000, .burst = 2});
  EXPECT_TRUE(limiter.allow(50'000).emit);
  EXPECT_TRUE(limiter.allow(50'999).emit);
  EXPECT_FALSE(limiter.allow(51'000).emit);
  const auto d = limiter.allow(51'001);  // the new window starts here
  EXPECT_TRUE(d.emit);
  EXPECT_EQ(d.suppressed, 1u);
  EXPECT_TRUE(limiter.allow(52'000).emit);
  EXPECT_FALSE(limiter.allow(52'001).emit);  // 2 lines in [51001, 52001]
}

TEST(LogRateLimiter, FlushReportsAFinishedWindowOnce) {
  LogRateLimiter limiter({.interval_ms = 1000, .burst = 1});
  EXPECT_EQ(limiter.flush(0), 0u);  // nothing yet
  limiter.allow(10'000);
  limiter.allow(10'001);
  limiter.allow(10'002);
  EXPECT_EQ(limiter.flush(10'500), 0u);  // the window is still open
  EXPECT_EQ(limiter.flush(11'001), 2u);
  EXPECT_EQ(limiter.flush(20'000), 0u);  // reported already
  // flush() started a new window at 11001: one line passes in it.
  EXPECT_TRUE(limiter.allow(11'500).emit);
  EXPECT_FALSE(limiter.allow(11'600).emit);
  EXPECT_EQ(limiter.suppressed_total(), 3u);
}

TEST(LogRateLimiter, NothingSuppressedNothingToFlush) {
  LogRateLimiter limiter;
  EXPECT_TRUE(limiter.allow(1).emit);
  EXPECT_EQ(limiter.flush(1'000'000), 0u);
}

TEST(LogRateLimiter, IntervalZeroDisablesLimitingAndBurstZeroSilences) {
  LogRateLimiter unlimited({.interval_ms = 0, .burst = 1});
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(unlimited.allow(5).emit);
  EXPECT_EQ(unlimited.suppressed_total(), 0u);
  LogRateLimiter silent({.interval_ms = 1000, .burst = 0});  // ___ratelimit(): burst 0 = none
  EXPECT_FALSE(silent.allow(5).emit);
  EXPECT_EQ(silent.suppressed_total(), 1u);
}

}  // namespace
}  // namespace lvs
