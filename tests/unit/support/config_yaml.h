// Configurations for the tests, from YAML text: the model a loader result holds (every error a
// test failure), or the errors it holds as `file:line:col: key: message` lines.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "config/loader.h"

namespace lvs::test {

// The configuration `result` holds; if it holds errors instead, each is a test failure and the
// answer is an empty configuration.
template <class Config>
Config loaded(config::LoadResult<Config> result) {
  if (auto* errors = std::get_if<std::vector<config::ConfigError>>(&result)) {
    for (const auto& e : *errors) ADD_FAILURE() << e.to_string();
    return {};
  }
  return std::get<Config>(std::move(result));
}

// The errors `result` holds, as the daemons print them; a configuration is a test failure.
template <class Config>
std::vector<std::string> load_errors(const config::LoadResult<Config>& result) {
  std::vector<std::string> out;
  if (std::holds_alternative<Config>(result)) {
    ADD_FAILURE() << "expected errors, got a config";
    return out;
  }
  for (const auto& e : std::get<std::vector<config::ConfigError>>(result)) {
    out.push_back(e.to_string());
  }
  return out;
}

// A director configuration from YAML text (named test.yaml in messages).
inline config::DirectorConfig director_config(const std::string& yaml) {
  return loaded(config::load_director_config_string(yaml, "test.yaml"));
}

}  // namespace lvs::test
