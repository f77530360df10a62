// A director configuration document (DESIGN.md §3) → DirectorConfig: the top-level keys, the
// `director` settings (queue, addresses, timeouts, neighbour parameters) and the `services` list
// (each entry via ServiceConfigParser), including duplicate services across the list.
#pragma once

#include <vector>

#include "config/config_reader.h"
#include "config/model.h"

namespace lvs::config {

class DirectorConfigParser {
 public:
  explicit DirectorConfigParser(ConfigReader& reader) : reader_(reader) {}

  // Errors go to the reader; the result is meaningful only when the reader has none.
  DirectorConfig parse(const YamlField& root);

 private:
  void parse_settings(const YamlField& field, DirectorSettings& settings);
  void parse_queue(const YamlField& field, DirectorSettings& settings);
  void parse_timeouts(const YamlField& field, Timeouts& timeouts);
  void parse_neighbour(const YamlField& field, NeighbourConfig& neighbour);
  void parse_services(const YamlField& field, std::vector<ServiceConfig>& services);

  ConfigReader& reader_;
};

}  // namespace lvs::config
