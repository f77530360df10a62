// The daemon's single-threaded event loop: an epoll set of file descriptors, each registered
// with a small token the caller switches on. Level-triggered, so a handler that leaves work
// behind (a batch cap reached) is simply called again on the next wait.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <variant>

#include "base/unique_fd.h"

namespace lvs::base {

class EventLoop {
 public:
  static std::variant<EventLoop, std::string> open();

  // Watches `fd` for readability; `token` comes back from wait().
  std::string add(int fd, std::uint32_t token);
  // Waits up to `timeout_ms` (-1: forever) and stores the tokens of ready descriptors in
  // `ready`; returns how many (0 on timeout or EINTR).
  std::size_t wait(int timeout_ms, std::span<std::uint32_t> ready);

 private:
  explicit EventLoop(UniqueFd fd) : epoll_(std::move(fd)) {}
  UniqueFd epoll_;
};

}  // namespace lvs::base
