// A log rate limiter with the kernel's rule (___ratelimit(), lib/ratelimit.c, which
// net_ratelimit() applies to the whole network stack with burst 10 per 5 s): in every window of
// `interval_ms`, the first `burst` lines pass and the rest are counted; the first line allowed
// after the window ends is preceded by "N messages suppressed". Unlike the kernel, flush() also
// reports a window's count when no further line comes, so a flood that stops is still accounted
// for. Pure: the clock comes in as `now`; the caller prints.
#pragma once

#include <cstdint>

#include "model/time_ms.h"

namespace lvs {

struct LogRateLimit {
  TimeMs interval_ms = 5000;  // net_msg_cost: 5 * HZ
  std::uint32_t burst = 10;   // net_msg_burst
};

class LogRateLimiter {
 public:
  using Params = LogRateLimit;
  struct Decision {
    bool emit = false;             // print this line
    std::uint64_t suppressed = 0;  // print "N messages suppressed" first (0: nothing to report)
  };

  explicit LogRateLimiter(Params params = {}) : params_(params) {}

  // One line wants out at `now`.
  Decision allow(TimeMs now);
  // The count of a window that has ended (0 if none, or the window is still open); resets the
  // window like allow() would.
  std::uint64_t flush(TimeMs now);

  std::uint64_t suppressed_total() const { return suppressed_total_; }
  std::uint64_t emitted_total() const { return emitted_total_; }

 private:
  // Starts the window at the first line, and a new one (returning the old one's misses) once
  // `now` is past begin + interval (time_is_before_jiffies(begin + interval)).
  std::uint64_t roll(TimeMs now);

  Params params_;
  bool started_ = false;
  TimeMs begin_ = 0;
  std::uint32_t printed_ = 0;
  std::uint64_t missed_ = 0;
  std::uint64_t suppressed_total_ = 0;
  std::uint64_t emitted_total_ = 0;
};

}  // namespace lvs
