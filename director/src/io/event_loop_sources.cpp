#include "io/event_loop_sources.h"

#include <errno.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <cstring>

namespace lvs::io {

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

std::variant<SignalSource, std::string> SignalSource::open(std::initializer_list<int> signals) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : signals) sigaddset(&set, s);
  if (sigprocmask(SIG_BLOCK, &set, nullptr) < 0) {
    return std::string("sigprocmask: ") + std::strerror(errno);
  }
  UniqueFd fd(signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!fd.valid()) return std::string("signalfd: ") + std::strerror(errno);
  return SignalSource(std::move(fd));
}

int SignalSource::next() {
  signalfd_siginfo info{};
  if (read(fd_.get(), &info, sizeof(info)) != sizeof(info)) return 0;
  return static_cast<int>(info.ssi_signo);
}

std::uint64_t monotonic_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000u +
         static_cast<std::uint64_t>(ts.tv_nsec) / 1000000u;
}

}  // namespace lvs::io
