// The typed-value side of the YAML loader: reads scalars, lists and addresses out of YAML
// nodes (yaml_document.h), and collects every problem as a ConfigError (file:line:col, key path,
// message) instead of stopping at the first. Used by the director and agent parsers; nothing here
// knows their schema.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/loader.h"
#include "config/net_address.h"
#include "config/yaml_document.h"

namespace lvs::config {

// One value found in the document, with where to point when it is wrong.
struct YamlField {
  YamlNode value;
  YamlMark mark;      // the value; the key's mark when the value is empty (`weight:`)
  YamlMark key_mark;  // the key of a map entry (== mark for list items and the root)
  std::string path;   // "services[0].real-servers[1].weight"; "" for the document root
};

// `text` fit to appear inside a one-line error: control characters escaped (a newline as \n,
// others as \xNN) and anything past 80 bytes cut to "...(N bytes)". Every value or key a message
// quotes goes through this, so no input can split an error over several lines (issue 12, #10).
std::string printable(std::string_view text);

std::string child_path(const std::string& parent, std::string_view key);
std::string item_path(const std::string& parent, std::size_t index);
// "line 12" (1-based), for messages that point back at an earlier occurrence.
std::string line_of(const YamlMark& mark);

class ConfigReader {
 public:
  explicit ConfigReader(std::string file_name);

  void error(const YamlMark& mark, std::string key_path, std::string message);
  void error(const YamlField& field, std::string message);
  bool has_errors() const { return !errors_.empty(); }
  std::vector<ConfigError> take_errors() { return std::move(errors_); }

  // The elements of a list (block or flow), or nullopt after reporting a non-list.
  std::optional<std::vector<YamlField>> list(const YamlField& field);
  // A plain decimal integer in [min, max]. Rejects quoted numbers, signs, floats, booleans, hex,
  // leading zeros (YAML 1.1 would read them as octal) and overflow, each with its reason.
  std::optional<std::uint64_t> integer(const YamlField& field, std::uint64_t min,
                                       std::uint64_t max);
  // Any non-empty scalar, as written (quoted or not).
  std::optional<std::string> text(const YamlField& field);
  // One of `choices` (exact, case-sensitive); the index into `choices`.
  std::optional<std::size_t> choice(const YamlField& field,
                                    std::initializer_list<std::string_view> choices);

  // Unicast IPv4 address (not 0.0.0.0, multicast, 240/4 or broadcast).
  std::optional<Ipv4> unicast_ipv4(const YamlField& field);
  // "A.B.C.D:PORT" with a unicast address and PORT 1..65535 (a listening address).
  std::optional<Endpoint> listen_address(const YamlField& field);
  // A unicast MAC address "02:00:00:00:00:0b" (not all-zero, not multicast/broadcast).
  std::optional<MacAddress> unicast_mac(const YamlField& field);
  // A contiguous netmask in dotted-quad form.
  std::optional<Ipv4> netmask(const YamlField& field);
  // A Linux network interface name (as dev_valid_name(): 1..15 bytes, not "." or "..", no '/',
  // ':' or whitespace).
  std::optional<std::string> interface_name(const YamlField& field);

  // Stores integer(field, min, max) into `out` when the field is present and valid.
  template <typename T>
  void integer_into(const std::optional<YamlField>& field, T& out, std::uint64_t min,
                    std::uint64_t max) {
    if (!field) return;
    if (auto value = integer(*field, min, max)) out = static_cast<T>(*value);
  }

  // "a map", "a list", "nothing", or the scalar in quotes: what was found instead.
  static std::string describe(const YamlNode& node);

 private:
  // The field as a non-empty scalar, or nullopt after reporting `expected` and what was found.
  std::optional<std::string> scalar(const YamlField& field, std::string_view expected);

  std::string file_name_;
  std::vector<ConfigError> errors_;
};

}  // namespace lvs::config
