#include "model/rate_estimator.h"

namespace lvs {

namespace {

// e->x += ((s64)rate - (s64)e->x) >> 2: the difference is taken modulo 2^64 and read as signed
// (what the kernel's s64 subtraction yields), then shifted arithmetically, so an average above
// the current rate moves down by a quarter of the gap rounded away from zero.
void fold(std::uint64_t& avg, std::uint64_t rate) {
  const auto diff = static_cast<std::int64_t>(rate - avg);
  avg += static_cast<std::uint64_t>(diff >> 2);
}

}  // namespace

void RateEstimator::update(const TrafficStats& s) {
  // Scaled by 2^10 per second, but the delta covers 2 seconds.
  fold(cps_, (s.conns - last_conns_) << 9);
  last_conns_ = s.conns;
  fold(inpps_, (s.inpkts - last_inpkts_) << 9);
  last_inpkts_ = s.inpkts;
  fold(outpps_, (s.outpkts - last_outpkts_) << 9);
  last_outpkts_ = s.outpkts;
  // Scaled by 2^5 per second, over 2 seconds.
  fold(inbps_, (s.inbytes - last_inbytes_) << 4);
  last_inbytes_ = s.inbytes;
  fold(outbps_, (s.outbytes - last_outbytes_) << 4);
  last_outbytes_ = s.outbytes;
}

EstimatedRates RateEstimator::read() const {
  return {(cps_ + 0x1FF) >> 10, (inpps_ + 0x1FF) >> 10, (outpps_ + 0x1FF) >> 10,
          (inbps_ + 0xF) >> 5, (outbps_ + 0xF) >> 5};
}

void RateEstimator::reset(const TrafficStats& s) {
  *this = RateEstimator{};
  last_conns_ = s.conns;
  last_inpkts_ = s.inpkts;
  last_outpkts_ = s.outpkts;
  last_inbytes_ = s.inbytes;
  last_outbytes_ = s.outbytes;
}

}  // namespace lvs
