// The keys of one YAML map, checked against the schema on construction: a value that is not a
// map, keys that are not plain strings, unknown keys (with a "did you mean" suggestion) and
// duplicate keys (YAML parsers keep both silently; we report the second) are all reported.
// Lookups then return the key's value as a YamlField with its key path.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config_reader.h"

namespace lvs::config {

class MapFields {
 public:
  MapFields(ConfigReader& reader, const YamlField& map,
            std::initializer_list<std::string_view> known_keys);

  // False when the value was not a map (already reported); every lookup then finds nothing.
  bool is_map() const { return is_map_; }
  const YamlField& self() const { return map_; }

  std::optional<YamlField> get(std::string_view key) const;
  // As get(), but reports "required key is missing" at the map's own mark when absent.
  std::optional<YamlField> require(std::string_view key);

 private:
  ConfigReader& reader_;
  YamlField map_;
  bool is_map_ = false;
  std::vector<std::pair<std::string, YamlField>> entries_;  // known keys, first occurrence
};

}  // namespace lvs::config
