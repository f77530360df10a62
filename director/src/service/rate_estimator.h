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
// IPVS. Pure: no clock; RateSampler decides when 2 seconds have passed from the `now` it is given.
#pragma once

#include <cstdint>

namespace lvs {

struct TrafficStats;
class ServiceTable;

// What ipvsadm --rate shows, per second (bytes for the bps columns).
struct EstimatedRates {
  std::uint64_t cps = 0;
  std::uint64_t inpps = 0;
  std::uint64_t outpps = 0;
  std::uint64_t inbps = 0;
  std::uint64_t outbps = 0;
  friend bool operator==(const EstimatedRates&, const EstimatedRates&) = default;
};

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

// The estimation timer of a ServiceTable: sample(now) from the daemon's periodic tick steps the
// estimators of every linked service and destination (the kernel's est_list: deleted services
// and destinations in the trash are not stepped) once per 2 s elapsed since construction, on a
// fixed 2 s grid, so a tick that comes late does not shift the later ones. When more than one
// period has passed since the previous step (the loop was held up), the first step sees all the
// growth and the others none: the averages then decay as if the traffic had stopped.
class RateSampler {
 public:
  // Catch-up steps after a long stall are capped: by then every average has decayed to zero.
  static constexpr std::uint32_t kMaxCatchUpSteps = 256;

  explicit RateSampler(std::uint64_t now_ms) : next_ms_(now_ms + RateEstimator::kIntervalMs) {}

  // Returns the number of steps taken (0 until the next 2 s boundary).
  std::uint32_t sample(const ServiceTable& services, std::uint64_t now_ms);

 private:
  std::uint64_t next_ms_;
};

}  // namespace lvs
