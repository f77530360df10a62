#include "io/deadline_timer.h"

#include <errno.h>
#include <sys/timerfd.h>

#include <cstring>

namespace lvs::io {

std::variant<DeadlineTimer, std::string> DeadlineTimer::open() {
  UniqueFd fd(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
  if (!fd.valid()) return "cannot create a timerfd: " + std::string(std::strerror(errno));
  return DeadlineTimer(std::move(fd));
}

void DeadlineTimer::arm(std::optional<std::uint64_t> due_ms) {
  if (due_ms == armed_) return;
  itimerspec spec{};
  if (due_ms) {
    // 0 would disarm: an instant in the past is "now", which the kernel fires at once.
    const std::uint64_t due = *due_ms == 0 ? 1 : *due_ms;
    spec.it_value.tv_sec = static_cast<time_t>(due / 1000);
    spec.it_value.tv_nsec = static_cast<long>((due % 1000) * 1000000);
  }
  if (timerfd_settime(fd_.get(), TFD_TIMER_ABSTIME, &spec, nullptr) == 0) armed_ = due_ms;
}

void DeadlineTimer::consume() {
  std::uint64_t expirations = 0;
  while (::read(fd_.get(), &expirations, sizeof(expirations)) < 0 && errno == EINTR) {
  }
  armed_.reset();  // one-shot: nothing is armed any more
}

}  // namespace lvs::io
