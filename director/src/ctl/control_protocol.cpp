#include <optional>
#include <vector>

#include "ctl/control_protocol.h"
#include "ctl/protocol_text.h"

namespace lvs::ctl {
namespace {

using protocol_text::split_words;
using protocol_text::strip_line_end;

constexpr std::string_view kList = "LIST";
constexpr std::string_view kListConnections = "LIST-CONNECTIONS";
constexpr std::string_view kNeighShow = "NEIGH-SHOW";
constexpr std::string_view kNeighFlush = "NEIGH-FLUSH";
constexpr std::string_view kNeighAdd = "NEIGH-ADD";
constexpr std::string_view kNeighDel = "NEIGH-DEL";

std::string_view command_word(Command c) {
  switch (c) {
    case Command::list:
      return kList;
    case Command::list_connections:
      return kListConnections;
    case Command::neigh_show:
      return kNeighShow;
    case Command::neigh_flush:
      return kNeighFlush;
    case Command::neigh_add:
      return kNeighAdd;
    case Command::neigh_del:
      return kNeighDel;
  }
  return kList;
}

}  // namespace

std::string encode_request(const Request& request) {
  std::string out(kProtocolTag);
  out += ' ';
  out += command_word(request.command);
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
  // Words the command takes after its name: min..max.
  std::size_t min_args = 0, max_args = 0;
  Request request;
  if (cmd == kList) {
    request.command = Command::list;
  } else if (cmd == kListConnections) {
    request.command = Command::list_connections;
  } else if (cmd == kNeighShow) {
    request.command = Command::neigh_show;
  } else if (cmd == kNeighFlush) {
    request.command = Command::neigh_flush;
  } else if (cmd == kNeighDel) {
    request.command = Command::neigh_del;
    min_args = max_args = 1;
  } else if (cmd == kNeighAdd) {
    request.command = Command::neigh_add;
    min_args = 2;
    max_args = 3;
  } else {
    return ProtocolError{"unknown command '" + std::string(cmd) +
                         "' (known: " + std::string(kList) + ", " + std::string(kListConnections) +
                         ", " + std::string(kNeighShow) + ", " + std::string(kNeighFlush) + ", " +
                         std::string(kNeighAdd) + ", " + std::string(kNeighDel) + ")"};
  }
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
