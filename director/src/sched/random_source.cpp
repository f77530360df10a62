#include "sched/random_source.h"

#include <array>
#include <charconv>
#include <random>
#include <vector>

namespace lvs {

std::uint64_t stream_seed(std::uint64_t seed, std::span<const std::uint32_t> stream) {
  std::vector<std::uint32_t> words = {static_cast<std::uint32_t>(seed),
                                      static_cast<std::uint32_t>(seed >> 32)};
  words.insert(words.end(), stream.begin(), stream.end());
  std::seed_seq mixed(words.begin(), words.end());
  std::array<std::uint32_t, 2> out{};
  mixed.generate(out.begin(), out.end());
  return (std::uint64_t{out[1]} << 32) | out[0];
}

std::optional<std::uint64_t> parse_random_seed(std::string_view text) {
  if (text.empty() || text.front() < '0' || text.front() > '9') return std::nullopt;
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace lvs
