// The estimation timer of a ServiceTable (the kernel's estimation_timer() over its est_list).
#pragma once

#include <cstdint>

#include "model/rate_estimator.h"
#include "model/time_ms.h"

namespace lvs {

class ServiceTable;

// sample(now) from the daemon's periodic tick steps the estimators of every linked service and
// destination (the kernel's est_list: deleted services and destinations in the trash are not
// stepped) once per 2 s elapsed since construction, on a fixed 2 s grid, so a tick that comes late
// does not shift the later ones. When more than one period has passed since the previous step (the
// loop was held up), the first step sees all the growth and the others none: the averages then
// decay as if the traffic had stopped.
class RateSampler {
 public:
  // Catch-up steps after a long stall are capped: by then every average has decayed to zero.
  static constexpr std::uint32_t kMaxCatchUpSteps = 256;

  explicit RateSampler(TimeMs now) : next_ms_(now + RateEstimator::kIntervalMs) {}

  // Returns the number of steps taken (0 until the next 2 s boundary).
  std::uint32_t sample(const ServiceTable& services, TimeMs now);

 private:
  TimeMs next_ms_;
};

}  // namespace lvs
