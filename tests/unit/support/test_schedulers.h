// Scheduler test doubles for the connection-table tests, so any stickiness or counting a test
// observes comes from the code under test, not from a real scheduler's policy.
#pragma once

#include <cstddef>
#include <string_view>

#include "sched/scheduler.h"

namespace lvs::testing {

// Always the first usable destination in list order (weight > 0, not overloaded).
class FirstUsable : public Scheduler {
 public:
  std::string_view name() const override { return "first"; }
  Destination* schedule(DestinationList list, const PacketInfo&, TimeMs) override {
    for (Destination* d : list) {
      if (d->weight > 0 && !d->overloaded) return d;
    }
    return nullptr;
  }
};

// Cycles through the list in order, skipping unusable destinations.
class Cycle : public Scheduler {
 public:
  std::string_view name() const override { return "cycle"; }
  Destination* schedule(DestinationList list, const PacketInfo&, TimeMs) override {
    for (std::size_t tries = 0; tries < list.size(); ++tries) {
      Destination* d = list[next_++ % list.size()];
      if (d->weight > 0 && !d->overloaded) return d;
    }
    return nullptr;
  }

 private:
  std::size_t next_ = 0;
};

}  // namespace lvs::testing
