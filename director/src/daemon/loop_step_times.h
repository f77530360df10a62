// How long each step of the packet thread's event loop took at most: one handler call (a queue
// wakeup of up to 16 packet batches, a tick, an lvsadm request, ...) or one reload step. While a
// step runs no packet is forwarded, so the longest is the director's worst forwarding stall —
// exported as lvs_event_loop_longest_step_seconds{step} and named in each "reload applied" line
// (over the window since that reload began). Wall time is what packets wait; the thread's CPU
// time (lvs_event_loop_longest_step_cpu_seconds{step}) is what the step itself costs — on a
// loaded machine the two differ by the time the thread was not scheduled.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/director_io.h"

namespace lvs {

// The step name of an event (a metric label).
constexpr std::string_view step_name(DirectorEvent event) {
  switch (event) {
    case DirectorEvent::Queue:
      return "queue";
    case DirectorEvent::Tick:
      return "tick";
    case DirectorEvent::Signal:
      return "signal";
    case DirectorEvent::Control:
      return "control";
    case DirectorEvent::Reload:
      return "reload_prepared";
    case DirectorEvent::Arp:
      return "arp";
    case DirectorEvent::NeighbourTimer:
      return "neighbour_timer";
  }
  return "other";
}

struct StepTime {
  std::string_view step;
  std::uint64_t wall_us = 0;
  std::uint64_t cpu_us = 0;
};

class LoopStepTimes {
 public:
  void record(std::string_view step, std::uint64_t wall_us, std::uint64_t cpu_us) {
    auto it = std::find_if(longest_.begin(), longest_.end(),
                           [&](const StepTime& entry) { return entry.step == step; });
    if (it == longest_.end()) {
      longest_.push_back({step, wall_us, cpu_us});
    } else {
      it->wall_us = std::max(it->wall_us, wall_us);
      it->cpu_us = std::max(it->cpu_us, cpu_us);
    }
    if (wall_us > window_wall_.wall_us) window_wall_ = {step, wall_us, cpu_us};
    if (cpu_us > window_cpu_.cpu_us) window_cpu_ = {step, wall_us, cpu_us};
  }
  // Starts a new window (a reload began).
  void start_window() { window_wall_ = window_cpu_ = {"none", 0, 0}; }
  // The longest step since start_window(), by wall time and by CPU time.
  const StepTime& window_longest_wall() const { return window_wall_; }
  const StepTime& window_longest_cpu() const { return window_cpu_; }
  // The longest step of each kind since start (wall and CPU apart), in the order the kinds
  // first ran.
  const std::vector<StepTime>& longest() const { return longest_; }

 private:
  std::vector<StepTime> longest_;
  StepTime window_wall_{"none", 0, 0};
  StepTime window_cpu_{"none", 0, 0};
};

// CLOCK_MONOTONIC and the calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID), in microseconds.
std::uint64_t monotonic_us();
std::uint64_t thread_cpu_us();

}  // namespace lvs
