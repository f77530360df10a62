#include "ctl/control_protocol.h"

#include <optional>
#include <vector>

#include "ctl/protocol_text.h"

namespace lvs::ctl {
namespace {

using protocol_text::split_words;
using protocol_text::strip_line_end;

// Every command: its word on the wire and how many words follow it (min..max).
struct CommandSpec {
  Command command;
  std::string_view word;
  std::size_t min_args;
  std::size_t max_args;
};
constexpr CommandSpec kCommands[] = {
    {Command::list, "LIST", 0, 0},
    {Command::list_connections, "LIST-CONNECTIONS", 0, 0},
    {Command::neigh_show, "NEIGH-SHOW", 0, 0},
    {Command::neigh_flush, "NEIGH-FLUSH", 0, 0},
    {Command::neigh_add, "NEIGH-ADD", 2, 3},  // IP MAC [STATE]
    {Command::neigh_del, "NEIGH-DEL", 1, 1},  // IP
};

const CommandSpec& spec_of(Command c) {
  for (const CommandSpec& spec : kCommands) {
    if (spec.command == c) return spec;
  }
  return kCommands[0];
}

std::string known_commands() {
  std::string out;
  for (const CommandSpec& spec : kCommands) {
    if (!out.empty()) out += ", ";
    out += spec.word;
  }
  return out;
}

}  // namespace

std::string encode_request(const Request& request) {
  std::string out(kProtocolTag);
  out += ' ';
  out += spec_of(request.command).word;
  if (request.command == Command::neigh_add || request.command == Command::neigh_del) {
    out += ' ' + format_ipv4(request.ip);
  }
  if (request.command == Command::neigh_add) {
    out += ' ' + format_mac(request.lladdr) + ' ';
    out += admin_nud_state_word(request.nud);
  }
  out += '\n';
  return out;
}

std::variant<Request, ProtocolError> decode_request(std::string_view line) {
  line = strip_line_end(line);
  if (line.find('\n') != std::string_view::npos) {
    return ProtocolError{"request must be a single line"};
  }
  std::vector<std::string_view> words = split_words(line);
  if (words.empty()) return ProtocolError{"empty request"};
  if (words[0] != kProtocolTag) {
    if (words[0].starts_with("LVSCTL/")) {
      return ProtocolError{"unsupported protocol version " + std::string(words[0]) +
                           " (this director speaks " + std::string(kProtocolTag) +
                           "; use the lvsadm built with it)"};
    }
    return ProtocolError{"not an lvsadm request (expected '" + std::string(kProtocolTag) +
                         " COMMAND')"};
  }
  const auto word_count_error = [&] {
    return ProtocolError{"expected '" + std::string(kProtocolTag) + " COMMAND', got " +
                         std::to_string(words.size() - 1) + " words after the version"};
  };
  if (words.size() < 2) return word_count_error();
  const std::string_view cmd = words[1];
  const CommandSpec* spec = nullptr;
  for (const CommandSpec& c : kCommands) {
    if (c.word == cmd) spec = &c;
  }
  if (spec == nullptr) {
    return ProtocolError{"unknown command '" + std::string(cmd) + "' (known: " + known_commands() +
                         ")"};
  }
  Request request;
  request.command = spec->command;
  const std::size_t min_args = spec->min_args, max_args = spec->max_args;
  const std::size_t args = words.size() - 2;
  if (max_args == 0 && args > 0) return word_count_error();
  if (args < min_args || args > max_args) {
    return ProtocolError{std::string(cmd) + " takes " +
                         (min_args == max_args
                              ? std::to_string(min_args)
                              : std::to_string(min_args) + " to " + std::to_string(max_args)) +
                         " argument(s), got " + std::to_string(args)};
  }
  if (args >= 1) {
    auto ip = parse_ipv4(words[2]);
    if (!ip) return ProtocolError{"bad IPv4 address '" + std::string(words[2]) + "'"};
    request.ip = *ip;
  }
  if (args >= 2) {
    auto mac = parse_mac(words[3]);
    if (!mac) return ProtocolError{"bad MAC address '" + std::string(words[3]) + "'"};
    request.lladdr = *mac;
  }
  if (args >= 3) {
    auto nud = parse_admin_nud_state(words[4]);
    if (!nud) {
      return ProtocolError{"bad nud state '" + std::string(words[4]) +
                           "' (expected permanent, noarp, reachable or stale)"};
    }
    request.nud = *nud;
  }
  return request;
}

}  // namespace lvs::ctl
