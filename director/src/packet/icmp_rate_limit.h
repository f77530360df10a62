// The global ICMP rate limit of the kernel (net/ipv4/icmp.c: icmp_global_allow()): a token
// bucket refilled at net.ipv4.icmp_msgs_per_sec (1000) up to net.ipv4.icmp_msgs_burst (50). ICMP
// errors the director builds itself go out on a raw socket, which the kernel's own limits do not
// cover, so the packet path applies this one before asking for an ICMP error. Pure: `now` in ms.
#pragma once

#include <algorithm>
#include <cstdint>

#include "model/time_ms.h"

namespace lvs {

class IcmpRateLimit {
 public:
  explicit IcmpRateLimit(std::uint32_t per_second = 1000, std::uint32_t burst = 50)
      : per_second_(per_second), burst_(burst), credit_(burst) {}

  // True (and one token taken) when an ICMP error may be sent at `now`.
  bool allow(TimeMs now) {
    if (now > last_) {
      const std::uint64_t refill = (now - last_) * per_second_ / 1000;
      if (refill > 0) {
        credit_ = static_cast<std::uint32_t>(
            std::min<std::uint64_t>(std::uint64_t{credit_} + refill, burst_));
        last_ = now;
      }
    }
    if (credit_ == 0) return false;
    --credit_;
    return true;
  }

 private:
  std::uint32_t per_second_;
  std::uint32_t burst_;
  std::uint32_t credit_;
  TimeMs last_ = 0;
};

}  // namespace lvs
