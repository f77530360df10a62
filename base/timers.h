// The clocks and timers of both daemons' event loops, as timerfds the loop waits on like any
// other descriptor (base/event_loop.h):
//   PeriodicTimer  fires every interval (the director's 100 ms tick, the agent's check timer)
//   DeadlineTimer  fires once at an absolute time: the neighbour table's next_timer() goes
//                  straight into it, so the loop wakes exactly when a solicitation, a state
//                  change or garbage collection is due, not on a poll tick
//   monotonic_ms() CLOCK_MONOTONIC in milliseconds: the `now` every pure core is given
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "base/unique_fd.h"

namespace lvs::base {

class PeriodicTimer {
 public:
  static std::variant<PeriodicTimer, std::string> open(std::uint32_t interval_ms);
  int fd() const { return fd_.get(); }
  // Consumes the expirations that happened since the last call (0 if none).
  std::uint64_t consume();

 private:
  explicit PeriodicTimer(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

class DeadlineTimer {
 public:
  static std::variant<DeadlineTimer, std::string> open();
  int fd() const { return fd_.get(); }
  // Fires once at `due_ms` (monotonic_ms() clock; at once if it has passed); nullopt disarms.
  // A call with the time already armed makes no syscall.
  void arm(std::optional<std::uint64_t> due_ms);
  // Consumes an expiry (the fd stays readable until then).
  void consume();

 private:
  explicit DeadlineTimer(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
  std::optional<std::uint64_t> armed_;
};

// CLOCK_MONOTONIC in milliseconds: the daemons' `now` for the pure cores.
std::uint64_t monotonic_ms();

}  // namespace lvs::base
