#include "sched/weighted_round_robin.h"

#include <algorithm>
#include <numeric>

namespace lvs {

void WeightedRoundRobin::init_service(DestinationList list) {
  // as ip_vs_wrr_init_svc(): the same recomputation as a change, but cw starts at the maximum
  // (a service built by -A then -a instead keeps the cw of its first server).
  cw_ = 0;
  dest_changed(list);
}

void WeightedRoundRobin::destination_added(DestinationList list, Destination& dest) {
  (void)dest;
  dest_changed(list);
}

void WeightedRoundRobin::destination_removed(DestinationList list, Destination& dest,
                                             std::size_t old_index) {
  (void)dest;
  (void)old_index;
  dest_changed(list);
}

void WeightedRoundRobin::destination_updated(DestinationList list, Destination& dest) {
  (void)dest;
  dest_changed(list);
}

void WeightedRoundRobin::dest_changed(DestinationList list) {
  // as ip_vs_wrr_gcd_weight(): gcd over the positive weights, 1 when there are none.
  std::int32_t g = 0;
  // as ip_vs_wrr_max_weight(): max over all weights, starting from 0.
  std::int32_t max = 0;
  for (const Destination* d : list) {
    if (d->weight > 0) g = g > 0 ? std::gcd(d->weight, g) : d->weight;
    max = std::max(max, d->weight);
  }
  // as ip_vs_wrr_dest_changed(): position back to the head; cw kept unless it is 0 or above
  // the new maximum (then the maximum), else rounded to the step grid as k*di + 1.
  cl_ = nullptr;
  cl_index_ = 0;
  di_ = g > 0 ? g : 1;
  mw_ = max - (di_ - 1);
  if (cw_ > mw_ || cw_ == 0) {
    cw_ = mw_;
  } else if (di_ > 1) {
    cw_ = (cw_ / di_) * di_ + 1;
  }
}

std::size_t WeightedRoundRobin::position(DestinationList list) const {
  if (cl_ == nullptr) return kHead;
  if (cl_index_ < list.size() && list[cl_index_] == cl_) return cl_index_;
  auto it = std::find(list.begin(), list.end(), cl_);
  return it == list.end() ? kHead : static_cast<std::size_t>(it - list.begin());
}

Destination* WeightedRoundRobin::schedule(DestinationList list, const PacketInfo& packet,
                                          TimeMs now) {
  (void)packet;
  (void)now;
  // as ip_vs_wrr_schedule().
  if (mw_ == 0) return nullptr;  // no positive weight: position unchanged
  const std::size_t n = list.size();
  const std::size_t last = position(list);
  std::size_t pos = last;
  std::size_t stop = kHead;  // kHead: no stop entry (the sentinel is never visited)
  bool last_pass = false;
  bool restarted = false;
  for (;;) {
    for (std::size_t i = pos == kHead ? 0 : pos + 1; i < n; ++i) {
      Destination* d = list[i];
      if (!d->blocked() && d->weight >= cw_) {
        cl_ = d;
        cl_index_ = i;
        return d;
      }
      if (i == stop) {  // err_over after coming round to where this decision began
        cl_ = d;
        cl_index_ = i;
        return nullptr;
      }
    }
    pos = kHead;  // the walk ended on the head sentinel
    cw_ -= di_;
    if (cw_ <= 0) {
      cw_ = mw_;
      // Every server was already tried with cw down to 1: err_over, position on the head.
      if (last_pass || last == kHead) {
        cl_ = nullptr;
        cl_index_ = 0;
        return nullptr;
      }
      restarted = true;
    }
    last_pass = cw_ <= di_;
    // The first walk (cw >= 1) only covered servers after `last`; cover the rest up to it.
    if (last_pass && restarted && last != kHead) stop = last;
  }
}

}  // namespace lvs
