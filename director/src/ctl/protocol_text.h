// The text rules the control protocol's encoders and decoders share (ctl/control_protocol.h):
// line ends, words, numbers, and names made safe to travel as one word. Internal to ctl/.
#pragma once

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lvs::ctl::protocol_text {

inline std::string_view strip_line_end(std::string_view line) {
  if (line.ends_with('\n')) line.remove_suffix(1);
  if (line.ends_with('\r')) line.remove_suffix(1);
  return line;
}

inline std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    std::size_t start = i;
    while (i < line.size() && line[i] != ' ') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

// Names (scheduler, state, forwarding) travel as single words; a space or newline inside one
// would break the framing, so it is replaced rather than trusted.
inline std::string word(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') c = '_';
  }
  if (out.empty()) out = "-";
  return out;
}

template <typename T>
std::optional<T> parse_number(std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace lvs::ctl::protocol_text
