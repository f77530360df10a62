#include "config/closest_key.h"

#include <algorithm>
#include <string>

namespace lvs::config {
namespace {

// ASCII only (keys and names are ASCII; std::tolower per cell was half of the loader's time on
// 100k unknown keys).
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowered(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = lower(c);
  return out;
}

// Optimal-string-alignment distance: Levenshtein plus adjacent transposition, so "weigth" is one
// edit from "weight" (the commonest typo in hand-written keys).
// `a` and `b` are already lower-case.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  std::vector<std::size_t> d((n + 1) * (m + 1));
  auto at = [&](std::size_t i, std::size_t j) -> std::size_t& { return d[i * (m + 1) + j]; };
  for (std::size_t i = 0; i <= n; ++i) at(i, 0) = i;
  for (std::size_t j = 0; j <= m; ++j) at(0, j) = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
      }
    }
  }
  return at(n, m);
}

}  // namespace

std::optional<std::string_view> closest_key(std::string_view word,
                                            const std::vector<std::string_view>& candidates) {
  std::optional<std::string_view> best;
  std::size_t best_distance = 0;
  std::string word_lower;  // made on the first candidate near enough in length
  for (std::string_view candidate : candidates) {
    const std::size_t allowed = std::max<std::size_t>(2, candidate.size() / 3);
    // The distance is at least the difference in length: skip the O(n*m) table (and its
    // allocation, gigabytes for a 16 MiB key) when that alone is too far.
    const std::size_t length_gap = word.size() > candidate.size() ? word.size() - candidate.size()
                                                                  : candidate.size() - word.size();
    if (length_gap > allowed) continue;
    if (word_lower.empty()) word_lower = lowered(word);
    const std::size_t distance = edit_distance(word_lower, lowered(candidate));
    if (distance > allowed || distance >= std::max(word.size(), candidate.size())) continue;
    if (!best || distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace lvs::config
