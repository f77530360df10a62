// Keeps a Prometheus counter monotonic across resets of the kernel counter it mirrors: the nft
// rule counters start again from 0 whenever the agent reinstalls its table (drift repair), but
// lvs_agent_arp_requests_dropped_total must never go backwards.
#pragma once

#include <cstdint>

namespace lvs::agent {

class CounterAccumulator {
 public:
  // A new reading of the kernel counter. A reading below the previous one means the counter was
  // reset behind our back (someone replaced the table): what was counted before is kept.
  void observe(std::uint64_t raw) {
    if (raw < last_raw_) base_ += last_raw_;
    last_raw_ = raw;
  }
  // The kernel counter was reset on purpose (the agent reinstalled the table); call before the
  // next observe(), so counts made between the last reading and the reset are the only loss.
  void reset() {
    base_ += last_raw_;
    last_raw_ = 0;
  }
  std::uint64_t total() const { return base_ + last_raw_; }

 private:
  std::uint64_t base_ = 0;
  std::uint64_t last_raw_ = 0;
};

}  // namespace lvs::agent
