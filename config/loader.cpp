#include "config/loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>

#include "config/agent_config_parser.h"
#include "config/config_reader.h"
#include "config/director_config_parser.h"

namespace lvs::config {
namespace {

YAML::Mark start_of_file() {
  YAML::Mark mark;
  mark.pos = 0;
  mark.line = 0;
  mark.column = 0;
  return mark;
}

// The single document in `yaml` as the root field, or nullopt after reporting why there is none
// (syntax error, empty file, several documents).
std::optional<YamlField> parse_document(const std::string& yaml, std::string_view expected,
                                        ConfigReader& reader) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(yaml);
  } catch (const YAML::Exception& e) {
    // ParserException (syntax) and the rest carry yaml-cpp's mark; e.msg is the bare reason.
    reader.error(e.mark.is_null() ? start_of_file() : e.mark, "", "YAML syntax error: " + e.msg);
    return std::nullopt;
  }
  if (documents.empty() || documents.front().IsNull()) {
    reader.error(start_of_file(), "", "the file is empty; expected " + std::string(expected));
    return std::nullopt;
  }
  if (documents.size() > 1) {
    reader.error(documents[1].Mark().is_null() ? start_of_file() : documents[1].Mark(), "",
                 "only one YAML document is allowed; remove the second '---' document");
    return std::nullopt;
  }
  YamlField root;
  root.value = documents.front();
  root.mark = root.value.Mark().is_null() ? start_of_file() : root.value.Mark();
  root.key_mark = root.mark;
  return root;
}

template <typename Config, typename Parser>
LoadResult<Config> load_string(const std::string& yaml, const std::string& name,
                               std::string_view expected) {
  ConfigReader reader(name);
  try {
    if (auto root = parse_document(yaml, expected, reader)) {
      Parser parser(reader);
      Config config = parser.parse(*root);
      if (!reader.has_errors()) return config;
    }
  } catch (const YAML::Exception& e) {
    // Not expected once the document is parsed, but yaml-cpp may throw from any accessor.
    reader.error(e.mark.is_null() ? start_of_file() : e.mark, "", "YAML error: " + e.msg);
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

// The whole file, or an error naming the path and strerror(errno).
std::variant<std::string, ConfigError> read_file(const std::string& path) {
  auto fail = [&](int error_number) {
    ConfigError error;
    error.file = path;
    error.message = std::strerror(error_number);
    return error;
  };
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) return fail(errno);
  std::string text;
  char buffer[65536];
  for (;;) {
    const std::size_t n = std::fread(buffer, 1, sizeof buffer, file.get());
    text.append(buffer, n);
    if (n < sizeof buffer) break;
  }
  if (std::ferror(file.get())) return fail(errno != 0 ? errno : EIO);  // e.g. EISDIR
  return text;
}

template <typename Config, typename Parser>
LoadResult<Config> load_file(const std::string& path, std::string_view expected) {
  errno = 0;
  auto text = read_file(path);
  if (auto* error = std::get_if<ConfigError>(&text)) return std::vector<ConfigError>{*error};
  return load_string<Config, Parser>(std::get<std::string>(text), path, expected);
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
