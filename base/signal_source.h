// The daemons' signals as readable data on a signalfd instead of in an async handler, so SIGTERM
// and SIGHUP are handled in the event loop, between batches, with no async-signal-safety
// constraints on what the handler may do.
#pragma once

#include <initializer_list>
#include <string>
#include <variant>

#include "base/unique_fd.h"

namespace lvs::base {

class SignalSource {
 public:
  // Blocks `signals` for the process (call before starting threads, so they inherit the mask)
  // and opens a signalfd for them.
  static std::variant<SignalSource, std::string> open(std::initializer_list<int> signals);
  int fd() const { return fd_.get(); }
  // The next pending signal number, or 0 if none.
  int next();

 private:
  explicit SignalSource(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace lvs::base
