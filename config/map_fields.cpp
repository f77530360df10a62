#include "config/map_fields.h"

#include <algorithm>
#include <unordered_map>

#include "config/closest_key.h"

namespace lvs::config {

MapFields::MapFields(ConfigReader& reader, const YamlField& map,
                     std::initializer_list<std::string_view> known_keys)
    : reader_(reader), map_(map) {
  if (!map.value.IsMap()) {
    reader_.error(map, "must be a map, got " + ConfigReader::describe(map.value));
    return;
  }
  is_map_ = true;
  const std::vector<std::string_view> known(known_keys);
  // All keys seen (known or not), so a repeated unknown key is reported once as unknown and
  // then as a duplicate, like a known one.
  // A hash map, not a scan: 100k keys in one map took 13.6 s with a linear search (issue 12, #3).
  // The views point into the document, which outlives this constructor.
  std::unordered_map<std::string_view, YamlMark> seen;
  for (const auto& [key, value] : map.value.entries()) {
    if (!key.IsScalar()) {
      reader_.error(key.Mark(), map.path,
                    "keys must be plain names, got " + ConfigReader::describe(key) + " as a key");
      continue;
    }
    const std::string& name = key.Scalar();
    const std::string path = child_path(map.path, printable(name));
    auto [previous, inserted] = seen.try_emplace(name, key.Mark());
    if (!inserted) {
      reader_.error(key.Mark(), path,
                    "duplicate key '" + printable(name) + "' (first given at " +
                        line_of(previous->second) + "); each key may appear once");
      continue;
    }
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string message = "unknown key '" + printable(name) + "'";
      if (auto near = closest_key(name, known)) {
        message += "; did you mean '" + std::string(*near) + "'?";
      } else {
        message += "; known keys here:";
        for (std::string_view k : known) message += " " + std::string(k);
      }
      reader_.error(key.Mark(), path, std::move(message));
      continue;
    }
    YamlField field;
    field.value = value;
    field.key_mark = key.Mark();
    field.mark = value.IsNull() || value.Mark().is_null() ? key.Mark() : value.Mark();
    field.path = path;
    entries_.emplace_back(name, std::move(field));
  }
}

std::optional<YamlField> MapFields::get(std::string_view key) const {
  for (const auto& [name, field] : entries_) {
    if (name == key) return field;
  }
  return std::nullopt;
}

std::optional<YamlField> MapFields::require(std::string_view key) {
  auto field = get(key);
  if (!field && is_map_) {
    reader_.error(map_.mark, child_path(map_.path, key), "required key is missing");
  }
  return field;
}

}  // namespace lvs::config
