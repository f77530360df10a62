// Random ipvsadm edits and connection-counter changes on a VirtualService, for the differential
// tests that check an indexed scheduler against the kernel's linear scan after every operation.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <utility>
#include <vector>

#include "service/virtual_service.h"

namespace lvs::testing {

class RandomServiceOps {
 public:
  // `draw_weight` picks the weight of an add/edit; a new connection is Active one time in
  // `active_one_in` (else Inactive). Destinations are 24 addresses 10.0.0.0-23, port 80.
  RandomServiceOps(VirtualService& svc, std::uint32_t seed,
                   std::function<std::int32_t(RandomServiceOps&)> draw_weight, int active_one_in)
      : svc_(svc),
        rng_(seed),
        draw_weight_(std::move(draw_weight)),
        active_one_in_(active_one_in) {}

  int rnd(int n) { return static_cast<int>(rng_() % static_cast<unsigned>(n)); }

  // One operation: -a / -e / -d, a connection bound, unbound (possibly on a server in the
  // trash), or moved between active and inactive.
  void step() {
    const Endpoint ep{0x0a000000u + static_cast<Ipv4>(rnd(24)), 80};
    const std::int32_t weight = draw_weight_(*this);
    const std::uint32_t u = rnd(3) == 0 ? static_cast<std::uint32_t>(rnd(6) + 1) : 0;
    const std::uint32_t l = u != 0 && rnd(2) == 0 ? static_cast<std::uint32_t>(rnd(u)) : 0;
    auto list = svc_.destinations();
    switch (rnd(10)) {
      case 0:
        svc_.add_destination(ep, {weight, u, l});
        break;
      case 1:
        svc_.edit_destination(ep, {weight, u, l});
        break;
      case 2:
        if (rnd(3) == 0) svc_.delete_destination(ep);
        break;
      case 3:
      case 4:
        if (!list.empty()) {
          Destination* d = list[static_cast<std::size_t>(rnd(static_cast<int>(list.size())))];
          const ConnCount c = rnd(active_one_in_) == 0 ? ConnCount::Active : ConnCount::Inactive;
          VirtualService::bind(*d, c);
          conns_.emplace_back(d, c);
        }
        break;
      case 5:
      case 6:
        if (!conns_.empty()) {
          std::size_t i = static_cast<std::size_t>(rnd(static_cast<int>(conns_.size())));
          VirtualService::unbind(*conns_[i].first, conns_[i].second);
          conns_[i] = conns_.back();
          conns_.pop_back();
        }
        break;
      default:
        if (!conns_.empty()) {
          auto& [d, c] = conns_[static_cast<std::size_t>(rnd(static_cast<int>(conns_.size())))];
          const bool to_active = c == ConnCount::Inactive;
          VirtualService::set_active(*d, to_active);
          c = to_active ? ConnCount::Active : ConnCount::Inactive;
        }
        break;
    }
  }

 private:
  VirtualService& svc_;
  std::mt19937 rng_;
  std::function<std::int32_t(RandomServiceOps&)> draw_weight_;
  int active_one_in_;
  std::vector<std::pair<Destination*, ConnCount>> conns_;
};

}  // namespace lvs::testing
