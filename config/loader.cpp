#include "config/loader.h"

#include <algorithm>
#include <exception>
#include <new>

#include "config/agent_config_parser.h"
#include "config/config_file.h"
#include "config/config_reader.h"
#include "config/director_config_parser.h"
#include "config/yaml_document.h"

namespace lvs::config {
namespace {

YamlMark start_of_file() { return YamlMark{0, 0, 0}; }

// The single document in `document` as the root field, or nullopt after reporting why there is
// none (syntax error, a budget of yaml_document.h exceeded, empty file, several documents).
std::optional<YamlField> root_field(const YamlDocument& document, std::string_view expected,
                                    ConfigReader& reader) {
  switch (document.outcome()) {
    case YamlDocument::Outcome::Error:
    case YamlDocument::Outcome::MoreThanOne: {
      const YamlMark mark = document.error().mark;
      reader.error(mark.is_null() ? start_of_file() : mark, "", document.error().message);
      return std::nullopt;
    }
    case YamlDocument::Outcome::Empty:
      reader.error(start_of_file(), "", "the file is empty; expected " + std::string(expected));
      return std::nullopt;
    case YamlDocument::Outcome::Document:
      break;
  }
  YamlField root;
  root.value = document.root();
  root.mark = root.value.Mark().is_null() ? start_of_file() : root.value.Mark();
  root.key_mark = root.mark;
  return root;
}

template <typename Config, typename Parser>
LoadResult<Config> load_string(const std::string& yaml, const std::string& name,
                               std::string_view expected) {
  ConfigReader reader(name);
  try {
    const YamlDocument document = YamlDocument::parse(yaml);
    if (auto root = root_field(document, expected, reader)) {
      Parser parser(reader);
      Config config = parser.parse(*root);
      if (!reader.has_errors()) return config;
    }
  } catch (const std::bad_alloc&) {
    // The budgets keep a document far below this; report it rather than let it escape anyway.
    reader.error(start_of_file(), "", "out of memory while loading");
  } catch (const std::exception& e) {
    reader.error(start_of_file(), "", std::string("internal error while loading: ") + e.what());
  }
  // Parsers report per map (unknown keys first, then values in schema order); people read a
  // file top to bottom, so list the errors that way (stable: equal marks keep report order).
  std::vector<ConfigError> errors = reader.take_errors();
  std::stable_sort(errors.begin(), errors.end(), [](const ConfigError& a, const ConfigError& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  return errors;
}

template <typename Config, typename Parser>
LoadResult<Config> load_file(const std::string& path, std::string_view expected) {
  ConfigError error;  // no line: prints as "PATH: REASON"
  error.file = path;
  try {
    auto text = read_config_file(path);
    if (auto* failed = std::get_if<ReadError>(&text)) {
      error.message = failed->reason;
    } else {
      return load_string<Config, Parser>(std::get<0>(text), path, expected);
    }
  } catch (const std::bad_alloc&) {
    // Reading is capped at 16 MiB, but even that allocation may fail: the entry points throw
    // nothing (the director calls them on its reload worker).
    error.message = "out of memory while reading";
  }
  return std::vector<ConfigError>{std::move(error)};
}

constexpr std::string_view kDirectorExpected = "a map with `services` (and optionally `director`)";
constexpr std::string_view kAgentExpected = "a map with `agent`";

}  // namespace

std::string ConfigError::to_string() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  if (!key_path.empty()) out += ": " + key_path;
  out += ": " + message;
  return out;
}

LoadResult<DirectorConfig> load_director_config_file(const std::string& path) {
  return load_file<DirectorConfig, DirectorConfigParser>(path, kDirectorExpected);
}

LoadResult<AgentConfig> load_agent_config_file(const std::string& path) {
  return load_file<AgentConfig, AgentConfigParser>(path, kAgentExpected);
}

LoadResult<DirectorConfig> load_director_config_string(const std::string& yaml,
                                                       const std::string& name) {
  return load_string<DirectorConfig, DirectorConfigParser>(yaml, name, kDirectorExpected);
}

LoadResult<AgentConfig> load_agent_config_string(const std::string& yaml, const std::string& name) {
  return load_string<AgentConfig, AgentConfigParser>(yaml, name, kAgentExpected);
}

}  // namespace lvs::config
