#include "daemon/log_rate_limiter.h"

namespace lvs {

std::uint64_t LogRateLimiter::roll(TimeMs now) {
  if (!started_) {
    started_ = true;
    begin_ = now;
    return 0;
  }
  if (now <= begin_ + params_.interval_ms) return 0;
  const std::uint64_t missed = missed_;
  missed_ = 0;
  begin_ = now;
  printed_ = 0;
  return missed;
}

LogRateLimiter::Decision LogRateLimiter::allow(TimeMs now) {
  // ___ratelimit(): an interval of 0 disables limiting.
  if (params_.interval_ms == 0) {
    ++emitted_total_;
    return {true, 0};
  }
  Decision d;
  d.suppressed = roll(now);
  if (params_.burst > printed_) {
    ++printed_;
    ++emitted_total_;
    d.emit = true;
  } else {
    ++missed_;
    ++suppressed_total_;
  }
  return d;
}

std::uint64_t LogRateLimiter::flush(TimeMs now) {
  if (!started_ || missed_ == 0) return 0;
  return roll(now);
}

}  // namespace lvs
