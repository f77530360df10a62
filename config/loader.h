// YAML → config model. Every error names file:line:column and the key path; on any error no
// config is returned, so nothing can be half-applied. No global state: the entry points may run
// on any thread (the director loads on its reload worker).
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "config/model.h"

namespace lvs::config {

struct ConfigError {
  std::string file;
  int line = 0;          // 1-based
  int column = 0;        // 1-based
  std::string key_path;  // e.g. "services[0].real-servers[1].weight"
  std::string message;
  // "lab.yaml:12:7: services[0].real-servers[1].weight: must be an integer 0..65535, got \"x\""
  std::string to_string() const;
};

// Either a complete configuration or every error found (at least one). The functions below
// throw nothing (running out of memory is an error like the others).
template <typename T>
using LoadResult = std::variant<T, std::vector<ConfigError>>;

LoadResult<DirectorConfig> load_director_config_file(const std::string& path);
LoadResult<AgentConfig> load_agent_config_file(const std::string& path);
// `name` is used as the file name in errors.
LoadResult<DirectorConfig> load_director_config_string(const std::string& yaml,
                                                       const std::string& name);
LoadResult<AgentConfig> load_agent_config_string(const std::string& yaml, const std::string& name);

}  // namespace lvs::config
