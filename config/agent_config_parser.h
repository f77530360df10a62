// A real-server agent configuration document (DESIGN.md §3, `agent:`) → AgentConfig.
#pragma once

#include "config/config_reader.h"
#include "config/model.h"

namespace lvs::config {

class AgentConfigParser {
 public:
  explicit AgentConfigParser(ConfigReader& reader) : reader_(reader) {}

  // Errors go to the reader; the result is meaningful only when the reader has none.
  AgentConfig parse(const YamlField& root);

 private:
  void parse_agent(const YamlField& field, AgentConfig& config);

  ConfigReader& reader_;
};

}  // namespace lvs::config
