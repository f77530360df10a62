// wrr: mainline net/netfilter/ipvs/ip_vs_wrr.c. Interleaved weighted round robin: a current
// weight cw walks down from the (adjusted) maximum weight in steps of the weights' gcd; each
// decision takes the next server after the position whose weight >= cw.
//
// Kernel quirks kept on purpose (sequences are not "fresh" after changes):
//  - every add/edit/delete moves the position back to the head but keeps cw, only clamping it
//    (ip_vs_wrr_dest_changed); a service built by -A then -a starts with cw = the first
//    server's adjusted weight, not the final maximum.
//  - the maximum is stored as max_weight - (gcd - 1) so the last pass is always cw == 1.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sched/scheduler.h"

namespace lvs {

class WeightedRoundRobin final : public Scheduler {
 public:
  std::string_view name() const override { return "wrr"; }
  void init_service(DestinationList list) override;
  void destination_added(DestinationList list, Destination& dest) override;
  void destination_removed(DestinationList list, Destination& dest, std::size_t old_index) override;
  void destination_updated(DestinationList list, Destination& dest) override;
  Destination* schedule(DestinationList list, const PacketInfo& packet, TimeMs now) override;

  // struct ip_vs_wrr_mark, for tests and diagnostics.
  std::int32_t current_weight() const { return cw_; }
  std::int32_t max_weight() const { return mw_; }
  std::int32_t weight_step() const { return di_; }

 private:
  static constexpr std::size_t kHead = static_cast<std::size_t>(-1);

  void dest_changed(DestinationList list);
  std::size_t position(DestinationList list) const;

  Destination* cl_ = nullptr;  // mark->cl: last chosen server, nullptr = head sentinel
  std::size_t cl_index_ = 0;   // its index in the list (list changes reset cl_ anyway)
  std::int32_t cw_ = 0;        // mark->cw: current weight
  std::int32_t mw_ = 0;        // mark->mw: max weight - (di - 1)
  std::int32_t di_ = 1;        // mark->di: gcd of the positive weights (1 if none)
};

}  // namespace lvs
