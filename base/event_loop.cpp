#include "base/event_loop.h"

#include <errno.h>
#include <sys/epoll.h>

#include <array>
#include <cstring>

namespace lvs::base {

std::variant<EventLoop, std::string> EventLoop::open() {
  UniqueFd fd(epoll_create1(EPOLL_CLOEXEC));
  if (!fd.valid()) return std::string("epoll_create1: ") + std::strerror(errno);
  return EventLoop(std::move(fd));
}

std::string EventLoop::add(int fd, std::uint32_t token) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u32 = token;
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) < 0) {
    return std::string("epoll_ctl(ADD): ") + std::strerror(errno);
  }
  return {};
}

std::size_t EventLoop::wait(int timeout_ms, std::span<std::uint32_t> ready) {
  std::array<epoll_event, 16> events;
  const int max = static_cast<int>(std::min(events.size(), ready.size()));
  int n = epoll_wait(epoll_.get(), events.data(), max, timeout_ms);
  if (n <= 0) return 0;
  for (int i = 0; i < n; ++i)
    ready[static_cast<std::size_t>(i)] = events[static_cast<std::size_t>(i)].data.u32;
  return static_cast<std::size_t>(n);
}

}  // namespace lvs::base
