// Where a randomised scheduler (twos) gets its random numbers: the kernel's get_random_u32() as an
// injected interface, so the daemon draws from a generator seeded at start, the tests from a
// script, and `lvsadm simulate` replays the daemon's decisions for the same seed.
//
// "The same decisions as the kernel" for twos means: given the sequence of values get_random_u32()
// would return, the scheduler consumes them in the same number and order (random_u32_below()'s
// rejection loop included) and picks the same server. Which values the kernel's CSPRNG returns is
// not reproducible and not what this models.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace lvs {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // get_random_u32(): the next uniform 32-bit value of the stream.
  virtual std::uint32_t next_u32() = 0;
};

// __get_random_u32_below() (drivers/char/random.c), the path get_random_u32_below() takes for a
// ceil that is not a compile-time constant: Lemire's multiply-shift, the high half of ceil * rand,
// with the rejection loop that makes it uniform — a draw whose low half falls below 2^32 % ceil
// (computed as -ceil % ceil in 32 bits) is thrown away and another taken. ceil 0 returns the draw
// itself, as the kernel does. A result in [0, ceil); one draw, more only when rejected.
inline std::uint32_t random_u32_below(RandomSource& random, std::uint32_t ceil) {
  const std::uint32_t rand = random.next_u32();
  if (ceil == 0) return rand;
  std::uint64_t mult = std::uint64_t{ceil} * rand;
  if (static_cast<std::uint32_t>(mult) < ceil) {
    const std::uint32_t bound = (0u - ceil) % ceil;
    while (static_cast<std::uint32_t>(mult) < bound) {
      mult = std::uint64_t{ceil} * random.next_u32();
    }
  }
  return static_cast<std::uint32_t>(mult >> 32);
}

// The seed of `lvsadm simulate` without --random-seed, and of a ServiceTable nobody seeded (tests,
// `lvs-director --check`): fixed, so those runs are reproducible.
inline constexpr std::uint64_t kDefaultRandomSeed = 1;

// A seed for one stream of many drawn from `seed` (one per service: service/service_table.h): the
// two are mixed by std::seed_seq, whose algorithm the standard also fixes, so different `stream`
// words give unrelated streams and the same words the same stream everywhere.
std::uint64_t stream_seed(std::uint64_t seed, std::span<const std::uint32_t> stream);

// `--random-seed N` as the daemon and `lvsadm simulate` take it: decimal, 0 to 2^64 - 1, nothing
// else (no sign, no spaces). nullopt if `text` is not that.
std::optional<std::uint64_t> parse_random_seed(std::string_view text);

}  // namespace lvs
