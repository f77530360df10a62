// What the tests of sed, nq, fo and ovf share: placing connections as Active ones, the kernel's
// "first usable server" for coverage counts, and the differential run of the index against the
// kernel's scan.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "service/virtual_service.h"
#include "support/random_service_ops.h"

namespace lvs::test {

// n new connections, each bound Active to the server `svc` chooses for it (what sed, nq and ovf
// read), as letters: 'A' for the server at address `a`, 'B' for a + 1, ..., '-' for none.
inline std::string place_active(VirtualService& svc, int n, Ipv4 a) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    Destination* d = svc.schedule(PacketInfo{}, 0);
    out += d == nullptr ? '-' : static_cast<char>('A' + (d->address.addr - a));
    if (d != nullptr) VirtualService::bind(*d, ConnCount::Active);
  }
  return out;
}

// The first server in list order that is neither blocked nor of weight 0: where the kernel's
// scans start (for counting how often the answer lies further down).
inline const Destination* first_usable(DestinationList list) {
  for (const Destination* d : list) {
    if (!d->blocked() && d->weight > 0) return d;
  }
  return nullptr;
}

// The differential run: a service driven by a fresh `Sched` gets random ipvsadm edits and
// connection changes (RandomServiceOps), plus a standing load of extra Active connections (so
// servers go busy and idle, and past their weights) and dead-flag flips; after every operation
// the scheduler's index must be sound and its decision must be the kernel scan's.
struct DifferentialRun {
  std::uint32_t seed = 1;
  int steps = 20000;
  // About this many Active connections are kept on top of RandomServiceOps' own.
  std::size_t extra_active = 40;
  // The weight of an add/edit.
  std::function<std::int32_t(testing::RandomServiceOps&)> draw_weight =
      [](testing::RandomServiceOps& r) {
        // 0 one time in five; small values with common factors make ties frequent.
        return r.rnd(5) == 0 ? 0 : (1 << r.rnd(3)) * (r.rnd(2) + 1);
      };
};

// Where the kernel's answers of a run fell, so a test can show both kinds of decision were made.
struct DecisionCounts {
  int first_usable = 0;  // the first usable server in list order
  int further = 0;       // one further down: the scan's comparison moved past the first
  int none = 0;
};

// Runs `run` against `reference` (the kernel's schedule function over the list), counting the
// decisions in `counts`; `observe` (optional) sees every state and decision. Check
// HasFatalFailure() after.
template <class Sched>
void expect_kernel_decisions(
    const DifferentialRun& run, Destination* (*reference)(DestinationList), DecisionCounts& counts,
    const std::function<void(DestinationList, Destination*)>& observe = {}) {
  auto owned = std::make_unique<Sched>();
  const Sched* sched = owned.get();
  VirtualService svc(config::ServiceKey{}, std::move(owned), {});
  testing::RandomServiceOps ops(svc, run.seed, run.draw_weight, 2);
  std::vector<Destination*> extra;
  for (int step = 0; step < run.steps; ++step) {
    ops.step();
    const DestinationList list = svc.destinations();
    if (!list.empty()) {
      Destination* d = list[static_cast<std::size_t>(ops.rnd(static_cast<int>(list.size())))];
      switch (ops.rnd(16)) {
        case 0:
          VirtualService::set_dead(*d, !d->dead);
          break;
        case 1:
        case 2:
        case 3:
          VirtualService::bind(*d, ConnCount::Active);
          extra.push_back(d);
          break;
        default:
          break;
      }
    }
    if (extra.size() > run.extra_active && ops.rnd(2) == 0) {
      // One of them closes (its server possibly deleted meanwhile).
      const auto i = static_cast<std::size_t>(ops.rnd(static_cast<int>(extra.size())));
      VirtualService::unbind(*extra[i], ConnCount::Active);
      extra[i] = extra.back();
      extra.pop_back();
    }
    ASSERT_TRUE(sched->index().valid()) << "seed " << run.seed << " step " << step;
    Destination* expected = reference(svc.destinations());
    ASSERT_EQ(svc.schedule(PacketInfo{}, 0), expected) << "seed " << run.seed << " step " << step;
    if (expected == nullptr) {
      ++counts.none;
    } else {
      ++(expected == first_usable(svc.destinations()) ? counts.first_usable : counts.further);
    }
    if (observe) observe(svc.destinations(), expected);
  }
  for (Destination* d : extra) VirtualService::unbind(*d, ConnCount::Active);
}

}  // namespace lvs::test
