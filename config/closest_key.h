// "Did you mean ...?" for misspelt keys and names in configuration files.
#pragma once

#include <initializer_list>
#include <optional>
#include <string_view>
#include <vector>

namespace lvs::config {

// The candidate nearest to `word` by edit distance (insert, delete, substitute, swap two adjacent
// characters; case-insensitive), if it is near enough to be a plausible typo: at most
// max(2, candidate length / 3) edits. Ties go to the earlier candidate.
std::optional<std::string_view> closest_key(std::string_view word,
                                            const std::vector<std::string_view>& candidates);

}  // namespace lvs::config
