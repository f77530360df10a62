#include "service/rate_sampler.h"

#include "service/service_table.h"

namespace lvs {

std::uint32_t RateSampler::sample(const ServiceTable& services, TimeMs now_ms) {
  if (now_ms < next_ms_) return 0;
  const std::uint64_t due = (now_ms - next_ms_) / RateEstimator::kIntervalMs + 1;
  next_ms_ += due * RateEstimator::kIntervalMs;
  const auto steps = static_cast<std::uint32_t>(due < kMaxCatchUpSteps ? due : kMaxCatchUpSteps);
  for (std::uint32_t i = 0; i < steps; ++i) {
    for (const auto& svc : services.services()) {
      svc->estimator.update(svc->stats);
      for (Destination* dest : svc->destinations()) dest->estimator.update(dest->stats);
    }
  }
  return steps;
}

}  // namespace lvs
