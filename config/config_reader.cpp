#include "config/config_reader.h"

#include <cctype>
#include <charconv>
#include <utility>

#include "config/closest_key.h"
#include "config/neighbour_entry.h"

namespace lvs::config {
namespace {

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Why `text` is not a plain decimal integer, for the error message ("" when no better reason).
std::string non_integer_reason(std::string_view text) {
  if (text.size() > 1 && (text[0] == '-' || text[0] == '+') && all_digits(text.substr(1))) {
    return text[0] == '-' ? "negative" : "write it without a sign";
  }
  const std::string word = lowercase(text);
  // YAML 1.1 booleans (yaml-cpp's as<bool>() accepts all of these).
  for (std::string_view boolean : {"true", "false", "yes", "no", "on", "off", "y", "n"}) {
    if (word == boolean) return "a boolean";
  }
  if (word.starts_with("0x") || word.starts_with("0o") || word.starts_with("0b")) {
    return "write it in decimal";
  }
  if (word == ".inf" || word == "-.inf" || word == ".nan") return "not a whole number";
  if (word.find_first_of(".e") != std::string::npos) {
    double ignored = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ignored);
    if (ec == std::errc() && end == text.data() + text.size()) return "not a whole number";
  }
  return "";
}

bool is_unicast(Ipv4 addr) {
  // 0.0.0.0/8 is "this network"; 224/4 multicast; 240/4 reserved, including 255.255.255.255.
  return (addr >> 24) != 0 && (addr >> 28) < 0xe;
}

}  // namespace

std::string printable(std::string_view text) {
  constexpr std::size_t kMaxShown = 80;
  std::string out;
  for (std::size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > kMaxShown) out += "...(" + std::to_string(text.size()) + " bytes)";
  return out;
}

std::string child_path(const std::string& parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return parent + "." + std::string(key);
}

std::string item_path(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

std::string line_of(const YamlMark& mark) { return "line " + std::to_string(mark.line + 1); }

ConfigReader::ConfigReader(std::string file_name) : file_name_(std::move(file_name)) {}

void ConfigReader::error(const YamlMark& mark, std::string key_path, std::string message) {
  ConfigError error;
  error.file = file_name_;
  // Marks are 0-based; a null mark (line -1) means "position unknown" (0 here).
  error.line = mark.line >= 0 ? mark.line + 1 : 0;
  error.column = mark.line >= 0 ? mark.column + 1 : 0;
  error.key_path = std::move(key_path);
  error.message = std::move(message);
  errors_.push_back(std::move(error));
}

void ConfigReader::error(const YamlField& field, std::string message) {
  error(field.mark, field.path, std::move(message));
}

std::string ConfigReader::describe(const YamlNode& node) {
  switch (node.Type()) {
    case YamlType::Map:
      return "a map";
    case YamlType::Sequence:
      return "a list";
    case YamlType::Scalar:
      return "\"" + printable(node.Scalar()) + "\"";
    case YamlType::Null:
      break;
  }
  return "nothing";
}

std::optional<std::string> ConfigReader::scalar(const YamlField& field, std::string_view expected) {
  if (!field.value.IsScalar() || field.value.Scalar().empty()) {
    error(field, "must be " + std::string(expected) + ", got " + describe(field.value));
    return std::nullopt;
  }
  return field.value.Scalar();
}

std::optional<std::vector<YamlField>> ConfigReader::list(const YamlField& field) {
  if (!field.value.IsSequence()) {
    error(field, "must be a list, got " + describe(field.value));
    return std::nullopt;
  }
  std::vector<YamlField> items;
  std::size_t index = 0;
  const std::vector<YamlNode> nodes = field.value.items();
  items.reserve(nodes.size());
  for (const YamlNode& item : nodes) {
    YamlField entry;
    entry.value = item;
    // An empty item ("- ") has no useful mark of its own: point at the list instead.
    entry.mark = item.IsNull() || item.Mark().is_null() ? field.mark : item.Mark();
    entry.key_mark = entry.mark;
    entry.path = item_path(field.path, index++);
    items.push_back(std::move(entry));
  }
  return items;
}

std::optional<std::uint64_t> ConfigReader::integer(const YamlField& field, std::uint64_t min,
                                                   std::uint64_t max) {
  const std::string expected =
      "must be an integer " + std::to_string(min) + ".." + std::to_string(max);
  const YamlNode& node = field.value;
  if (!node.IsScalar()) {
    error(field, expected + ", got " + describe(node));
    return std::nullopt;
  }
  const std::string& text = node.Scalar();
  std::string reason;
  if (node.Tag() == "!") {
    reason = "quoted: write the number without quotes";
  } else if (node.Tag() != "?" && node.Tag() != "tag:yaml.org,2002:int") {
    reason = "tagged " + node.Tag();
  } else if (all_digits(text)) {
    if (text.size() > 1 && text[0] == '0') {
      reason = "leading zeros are not allowed";
    } else {
      std::uint64_t value = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec == std::errc() && end == text.data() + text.size() && value >= min && value <= max) {
        return value;
      }
      reason = "out of range";
    }
  } else {
    reason = non_integer_reason(text);
  }
  error(field, expected + ", got " + describe(node) + (reason.empty() ? "" : " (" + reason + ")"));
  return std::nullopt;
}

std::optional<std::string> ConfigReader::text(const YamlField& field) {
  return scalar(field, "a non-empty string");
}

std::optional<std::size_t> ConfigReader::choice(const YamlField& field,
                                                std::initializer_list<std::string_view> choices) {
  std::string expected = "one of";
  for (std::string_view c : choices) expected += " " + std::string(c);
  auto value = scalar(field, expected);
  if (!value) return std::nullopt;
  std::size_t index = 0;
  for (std::string_view c : choices) {
    if (*value == c) return index;
    ++index;
  }
  std::string message = "must be " + expected + ", got " + describe(field.value);
  if (auto near = closest_key(*value, std::vector<std::string_view>(choices))) {
    message += "; did you mean '" + std::string(*near) + "'?";
  }
  error(field, std::move(message));
  return std::nullopt;
}

std::optional<Ipv4> ConfigReader::unicast_ipv4(const YamlField& field) {
  auto value = scalar(field, "an IPv4 address like 10.200.0.100");
  if (!value) return std::nullopt;
  auto addr = parse_ipv4(*value);
  if (!addr) {
    error(field, "must be an IPv4 address like 10.200.0.100, got " + describe(field.value));
    return std::nullopt;
  }
  if (!is_unicast(*addr)) {
    error(field, "must be a unicast IPv4 address (not 0.0.0.0/8, multicast or broadcast), got " +
                     describe(field.value));
    return std::nullopt;
  }
  return addr;
}

std::optional<Endpoint> ConfigReader::listen_address(const YamlField& field) {
  const std::string expected = "must be IPV4:PORT like 127.0.0.1:9469 (port 1..65535)";
  auto value = scalar(field, "IPV4:PORT like 127.0.0.1:9469");
  if (!value) return std::nullopt;
  auto endpoint = parse_endpoint(*value);
  // 0.0.0.0 is a fine listening address (all interfaces); multicast and 240/4 are not.
  if (!endpoint || endpoint->port == 0 || (endpoint->addr >> 28) >= 0xe) {
    error(field, expected + ", got " + describe(field.value));
    return std::nullopt;
  }
  return endpoint;
}

std::optional<MacAddress> ConfigReader::unicast_mac(const YamlField& field) {
  auto value = scalar(field, "a MAC address like 02:00:00:00:00:0b");
  if (!value) return std::nullopt;
  auto mac = parse_mac(*value);
  if (!mac) {
    error(field, "must be a MAC address like 02:00:00:00:00:0b, got " + describe(field.value));
    return std::nullopt;
  }
  if (!neighbour_mac_problem(*mac).empty()) {  // all-zero, multicast or broadcast
    error(field, "must be a unicast MAC address (not all-zero, multicast or broadcast), got " +
                     describe(field.value));
    return std::nullopt;
  }
  return mac;
}

std::optional<Ipv4> ConfigReader::netmask(const YamlField& field) {
  auto value = scalar(field, "a netmask like 255.255.255.0");
  if (!value) return std::nullopt;
  auto mask = parse_ipv4(*value);
  if (!mask) {
    error(field, "must be a netmask like 255.255.255.0, got " + describe(field.value));
    return std::nullopt;
  }
  if (!is_contiguous_netmask(*mask)) {
    error(field, "must be a contiguous netmask (ones from the top, like 255.255.255.0), got " +
                     describe(field.value));
    return std::nullopt;
  }
  return mask;
}

std::optional<std::string> ConfigReader::interface_name(const YamlField& field) {
  auto value = scalar(field, "an interface name like eth0");
  if (!value) return std::nullopt;
  bool valid = value->size() <= 15 && *value != "." && *value != "..";
  for (char c : *value) {
    if (c == '/' || c == ':' || std::isspace(static_cast<unsigned char>(c)) || c == '\0') {
      valid = false;
    }
  }
  if (!valid) {
    error(field,
          "must be an interface name (1..15 characters, no '/', ':' or spaces, not . or ..), "
          "got " +
              describe(field.value));
    return std::nullopt;
  }
  return value;
}

}  // namespace lvs::config
