// Descriptors the event loop waits on besides the queue: a periodic timer (connection expiry)
// and the daemon's signals. Signals arrive as readable data on a signalfd instead of in an
// async handler, so SIGTERM/SIGHUP are handled in the loop, between batches, with no
// async-signal-safety constraints on what the handler may do.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <variant>

#include "io/unique_fd.h"

namespace lvs::io {

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

class SignalSource {
 public:
  // Blocks `signals` for the process (call before starting threads) and opens a signalfd.
  static std::variant<SignalSource, std::string> open(std::initializer_list<int> signals);
  int fd() const { return fd_.get(); }
  // The next pending signal number, or 0 if none.
  int next();

 private:
  explicit SignalSource(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

// CLOCK_MONOTONIC in milliseconds: the daemon's `now` for the pure core.
std::uint64_t monotonic_ms();

}  // namespace lvs::io
