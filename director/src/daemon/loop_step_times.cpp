#include "daemon/loop_step_times.h"

#include <ctime>

namespace lvs {
namespace {

std::uint64_t clock_us(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000u +
         static_cast<std::uint64_t>(ts.tv_nsec) / 1000u;
}

}  // namespace

std::uint64_t monotonic_us() { return clock_us(CLOCK_MONOTONIC); }
std::uint64_t thread_cpu_us() { return clock_us(CLOCK_THREAD_CPUTIME_ID); }

}  // namespace lvs
