// The pure core's clock: monotonic milliseconds, always passed in (base::monotonic_ms() in the
// daemon, a script's clock in the simulator, the test's in tests). No core code reads a clock.
#pragma once

#include <cstdint>

namespace lvs {

using TimeMs = std::uint64_t;

}  // namespace lvs
