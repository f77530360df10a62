// The generator behind a seed: what the daemon draws twos' random numbers from (seeded from the
// OS at start, or by --random-seed) and what `lvsadm simulate` replays.
#pragma once

#include <cstdint>
#include <random>

#include "sched/random_source.h"

namespace lvs {

// A stream from a 64-bit seed: std::mt19937_64, whose output for a given seed the C++ standard
// fixes ([rand.predef]), so the daemon, `lvsadm simulate` and any build of either agree; each
// next_u32() is the high half of one 64-bit output.
//
// Not a cryptographic generator, and it need not be: twos only spreads load. Someone who could
// predict the stream could at best aim new connections at a server they choose — which sh, dh and
// mh give away outright by design — and that server must still be the less loaded of the two.
// What the kernel takes from get_random_u32() there is uniformity, which this has.
class SeededRandom final : public RandomSource {
 public:
  explicit SeededRandom(std::uint64_t seed) : engine_(seed) {}
  std::uint32_t next_u32() override { return static_cast<std::uint32_t>(engine_() >> 32); }

 private:
  std::mt19937_64 engine_;
};

}  // namespace lvs
