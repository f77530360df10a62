// The IPVS rate estimator (net/netfilter/ipvs/ip_vs_est.c), bit for bit: every 2 seconds each
// linked service and destination turns the growth of its --stats counters into a rate and folds
// it into an exponentially weighted average with weight 1/4, in fixed point:
//
//   conns, inpkts, outpkts:  rate = delta << 9    (x 2^10 per second, the delta covers 2 s)
//   inbytes, outbytes:       rate = delta << 4    (x 2^5 per second)
//   every average:           avg += (s64)(rate - avg) >> 2
//   read out (--rate):       cps = (avg + 0x1FF) >> 10,   bps = (avg + 0xF) >> 5
//
// The state lives in the object it measures (like the kernel's ip_vs_stats.est), so a destination
// deleted and revived from the trash resumes with its old averages and counters, as it does in
// IPVS. Pure: no clock; RateSampler (service/rate_sampler.h) decides when 2 seconds have passed.
#pragma once

#include <cstdint>

#include "model/traffic_stats.h"

namespace lvs {

// One object's estimator (struct ip_vs_estimator). A new one starts with zero averages and zero
// "last" counters, as the kernel's zero-allocated estimator of a new service or destination whose
// counters also start at zero.
class RateEstimator {
 public:
  // The period the shifts above assume (estimation_timer() re-arms itself 2*HZ later).
  static constexpr std::uint64_t kIntervalMs = 2000;

  // One estimation_timer() pass: `counters` are the object's totals now.
  void update(const TrafficStats& counters);
  // ip_vs_read_estimator(): the rounded per-second rates.
  EstimatedRates read() const;
  // ip_vs_zero_estimator() (ipvsadm -Z): zero averages, deltas counted from `counters` on.
  void reset(const TrafficStats& counters);

  // The fixed-point averages (x 2^10 for cps/pps, x 2^5 for bps), for tests.
  std::uint64_t cps_scaled() const { return cps_; }
  std::uint64_t inpps_scaled() const { return inpps_; }
  std::uint64_t outpps_scaled() const { return outpps_; }
  std::uint64_t inbps_scaled() const { return inbps_; }
  std::uint64_t outbps_scaled() const { return outbps_; }

 private:
  std::uint64_t last_conns_ = 0;
  std::uint64_t last_inpkts_ = 0;
  std::uint64_t last_outpkts_ = 0;
  std::uint64_t last_inbytes_ = 0;
  std::uint64_t last_outbytes_ = 0;
  std::uint64_t cps_ = 0;
  std::uint64_t inpps_ = 0;
  std::uint64_t outpps_ = 0;
  std::uint64_t inbps_ = 0;
  std::uint64_t outbps_ = 0;
};

}  // namespace lvs
