// A one-shot timerfd armed at an absolute CLOCK_MONOTONIC time in milliseconds (the clock of
// monotonic_ms()): the neighbour table's next_timer() goes straight into it, so the loop wakes
// exactly when a solicitation, a state change or garbage collection is due, not on a poll tick.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "io/unique_fd.h"

namespace lvs::io {

class DeadlineTimer {
 public:
  static std::variant<DeadlineTimer, std::string> open();
  int fd() const { return fd_.get(); }
  // Fires once at `due_ms` (at once if it has passed); nullopt disarms. A call with the time
  // already armed makes no syscall.
  void arm(std::optional<std::uint64_t> due_ms);
  // Consumes an expiry (the fd stays readable until then).
  void consume();

 private:
  explicit DeadlineTimer(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
  std::optional<std::uint64_t> armed_;
};

}  // namespace lvs::io
