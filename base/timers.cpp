#include "base/timers.h"

#include <errno.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <cstring>

namespace lvs::base {

std::variant<PeriodicTimer, std::string> PeriodicTimer::open(std::uint32_t interval_ms) {
  UniqueFd fd(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
  if (!fd.valid()) return std::string("timerfd_create: ") + std::strerror(errno);
  itimerspec spec{};
  spec.it_interval.tv_sec = interval_ms / 1000;
  spec.it_interval.tv_nsec = static_cast<long>(interval_ms % 1000) * 1000000L;
  spec.it_value = spec.it_interval;
  if (timerfd_settime(fd.get(), 0, &spec, nullptr) < 0) {
    return std::string("timerfd_settime: ") + std::strerror(errno);
  }
  return PeriodicTimer(std::move(fd));
}

std::uint64_t PeriodicTimer::consume() {
  std::uint64_t expirations = 0;
  if (read(fd_.get(), &expirations, sizeof(expirations)) != sizeof(expirations)) return 0;
  return expirations;
}

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

std::uint64_t monotonic_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000u +
         static_cast<std::uint64_t>(ts.tv_nsec) / 1000000u;
}

}  // namespace lvs::base
