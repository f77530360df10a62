#include "ctl/control_protocol.h"

#include <charconv>
#include <optional>
#include <vector>

namespace lvs::ctl {
namespace {

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

// The states `lvsadm neigh add ... nud STATE` may set (ip neigh's names, lower case).
std::optional<NudState> parse_admin_nud(std::string_view text) {
  if (text == "permanent") return NudState::Permanent;
  if (text == "noarp") return NudState::Noarp;
  if (text == "reachable") return NudState::Reachable;
  if (text == "stale") return NudState::Stale;
  return std::nullopt;
}

std::string_view strip_line_end(std::string_view line) {
  if (line.ends_with('\n')) line.remove_suffix(1);
  if (line.ends_with('\r')) line.remove_suffix(1);
  return line;
}

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    std::size_t start = i;
    while (i < line.size() && line[i] != ' ') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

// Names (scheduler, state, forwarding) travel as single words; a space or newline inside one
// would break the framing, so it is replaced rather than trusted.
std::string word(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') c = '_';
  }
  if (out.empty()) out = "-";
  return out;
}

template <typename T>
std::optional<T> parse_number(std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

void append_counters(std::string& out, const TrafficStats& s, const EstimatedRates& r) {
  out += " conns=" + std::to_string(s.conns) + " inpkts=" + std::to_string(s.inpkts) +
         " outpkts=" + std::to_string(s.outpkts) + " inbytes=" + std::to_string(s.inbytes) +
         " outbytes=" + std::to_string(s.outbytes) + " cps=" + std::to_string(r.cps) +
         " inpps=" + std::to_string(r.inpps) + " outpps=" + std::to_string(r.outpps) +
         " inbps=" + std::to_string(r.inbps) + " outbps=" + std::to_string(r.outbps);
}

// Decoding state for one response: the line number for messages, the record being filled.
class ResponseDecoder {
 public:
  std::optional<ProtocolError> record(std::size_t line_no, std::string_view line) {
    line_no_ = line_no;
    std::vector<std::string_view> words = split_words(line);
    if (words.empty()) return fail("empty record");
    const std::string_view kind = words[0];
    if (kind == "info") return info(words);
    if (kind == "service") return service(words);
    if (kind == "dest") return dest(words);
    if (kind == "conn") return conn(words);
    if (kind == "neigh") return neigh(words);
    return std::nullopt;  // a record kind from a newer daemon: skipped (see the header)
  }

  Snapshot take() { return std::move(snapshot_); }

 private:
  ProtocolError fail(const std::string& what) const {
    return ProtocolError{"response line " + std::to_string(line_no_) + ": " + what};
  }

  // Applies each key=value word after the first `fixed` words through `apply`, which returns
  // false for a value it cannot read. Unknown keys are ignored.
  template <typename Apply>
  std::optional<ProtocolError> fields(const std::vector<std::string_view>& words, std::size_t fixed,
                                      Apply apply) {
    for (std::size_t i = fixed; i < words.size(); ++i) {
      std::size_t eq = words[i].find('=');
      if (eq == std::string_view::npos || eq == 0) {
        return fail("expected key=value, got '" + std::string(words[i]) + "'");
      }
      std::string_view key = words[i].substr(0, eq);
      std::string_view value = words[i].substr(eq + 1);
      if (!apply(key, value)) {
        return fail("bad value for " + std::string(key) + ": '" + std::string(value) + "'");
      }
    }
    return std::nullopt;
  }

  static bool counter(std::string_view key, std::string_view value, TrafficStats& s, EstimatedRates& r,
                      bool& known) {
    struct Field {
      std::string_view key;
      std::uint64_t* target;
    };
    const Field table[] = {{"conns", &s.conns},       {"inpkts", &s.inpkts},
                           {"outpkts", &s.outpkts},   {"inbytes", &s.inbytes},
                           {"outbytes", &s.outbytes}, {"cps", &r.cps},
                           {"inpps", &r.inpps},       {"outpps", &r.outpps},
                           {"inbps", &r.inbps},       {"outbps", &r.outbps}};
    std::uint64_t* target = nullptr;
    for (const Field& f : table) {
      if (f.key == key) target = f.target;
    }
    known = target != nullptr;
    if (!target) return true;
    auto v = parse_number<std::uint64_t>(value);
    if (!v) return false;
    *target = *v;
    return true;
  }

  template <typename T>
  static bool set(std::string_view value, T& target) {
    auto v = parse_number<T>(value);
    if (!v) return false;
    target = *v;
    return true;
  }

  std::optional<ProtocolError> info(const std::vector<std::string_view>& words) {
    return fields(words, 1, [&](std::string_view key, std::string_view value) {
      if (key == "version") {
        if (value.empty()) return false;
        snapshot_.version = std::string(value);
        return true;
      }
      if (key == "size") return set(value, snapshot_.table_size);
      if (key == "tcp") return set(value, snapshot_.timeouts.tcp_s);
      if (key == "tcpfin") return set(value, snapshot_.timeouts.tcpfin_s);
      if (key == "udp") return set(value, snapshot_.timeouts.udp_s);
      return true;
    });
  }

  std::optional<ProtocolError> service(const std::vector<std::string_view>& words) {
    if (words.size() < 2) return fail("service record without a service key");
    auto key = config::parse_service_key(words[1]);
    if (!key) {
      return fail("bad service key '" + std::string(words[1]) +
                  "' (expected tcp/IP:PORT, udp/IP:PORT or fwm/MARK)");
    }
    ServiceSnapshot s;
    s.key = *key;
    bool have_scheduler = false;
    auto err = fields(words, 2, [&](std::string_view k, std::string_view value) {
      bool known = false;
      if (!counter(k, value, s.stats, s.rates, known)) return false;
      if (known) return true;
      if (k == "scheduler") {
        if (value.empty()) return false;
        s.scheduler = std::string(value);
        have_scheduler = true;
        return true;
      }
      if (k == "persistent") {
        s.persistent = true;
        return set(value, s.persistent_timeout_s);
      }
      if (k == "netmask") {
        auto mask = parse_ipv4(value);
        if (!mask) return false;
        s.netmask = *mask;
        return true;
      }
      if (k == "flags") {
        for (std::string_view rest = value; !rest.empty();) {
          std::size_t comma = rest.find(',');
          std::string_view flag = rest.substr(0, comma);
          if (flag == "sh-fallback")
            s.sh_fallback = true;
          else if (flag == "sh-port")
            s.sh_port = true;
          else if (flag == "ops")
            s.one_packet = true;
          rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        }
        return true;
      }
      return true;
    });
    if (err) return err;
    if (!have_scheduler) return fail("service " + std::string(words[1]) + " has no scheduler");
    snapshot_.services.push_back(std::move(s));
    return std::nullopt;
  }

  std::optional<ProtocolError> dest(const std::vector<std::string_view>& words) {
    if (snapshot_.services.empty()) return fail("dest record before any service record");
    if (words.size() < 2) return fail("dest record without an address");
    auto ep = parse_endpoint(words[1]);
    if (!ep) return fail("bad destination address '" + std::string(words[1]) + "'");
    DestinationSnapshot d;
    d.address = *ep;
    auto err = fields(words, 2, [&](std::string_view k, std::string_view value) {
      bool known = false;
      if (!counter(k, value, d.stats, d.rates, known)) return false;
      if (known) return true;
      if (k == "forward") {
        if (value.empty()) return false;
        d.forwarding = std::string(value);
        return true;
      }
      if (k == "weight") return set(value, d.weight);
      if (k == "active") return set(value, d.active_conns);
      if (k == "inactive") return set(value, d.inactive_conns);
      if (k == "persistent") return set(value, d.persistent_conns);
      if (k == "uthreshold") return set(value, d.u_threshold);
      if (k == "lthreshold") return set(value, d.l_threshold);
      if (k == "dead") {
        d.dead = value == "1";
        return value == "0" || value == "1";
      }
      return true;
    });
    if (err) return err;
    snapshot_.services.back().destinations.push_back(std::move(d));
    return std::nullopt;
  }

  std::optional<ProtocolError> conn(const std::vector<std::string_view>& words) {
    if (words.size() < 7) {
      return fail("conn record needs: conn PROTO CLIENT VIRTUAL DEST STATE EXPIRES_MS");
    }
    ConnectionSnapshot c;
    if (words[1] == "tcp")
      c.protocol = ConnProtocol::tcp;
    else if (words[1] == "udp")
      c.protocol = ConnProtocol::udp;
    else
      return fail("bad connection protocol '" + std::string(words[1]) + "'");
    auto client = parse_endpoint(words[2]);
    auto vip = parse_endpoint(words[3]);
    auto dst = parse_endpoint(words[4]);
    if (!client || !vip || !dst) return fail("bad address in conn record");
    c.client = *client;
    c.vip = *vip;
    c.destination = *dst;
    c.state = std::string(words[5]);
    auto expires = parse_number<std::uint64_t>(words[6]);
    if (!expires) return fail("bad expiry '" + std::string(words[6]) + "'");
    c.expires_ms = *expires;
    snapshot_.connections.push_back(std::move(c));
    return std::nullopt;
  }

  std::optional<ProtocolError> neigh(const std::vector<std::string_view>& words) {
    if (words.size() < 2) return fail("neigh record without an address");
    auto ip = parse_ipv4(words[1]);
    if (!ip) return fail("bad neighbour address '" + std::string(words[1]) + "'");
    NeighbourSnapshot n;
    n.ip = *ip;
    auto err = fields(words, 2, [&](std::string_view k, std::string_view value) {
      if (k == "dev") {
        n.device = std::string(value);
        return !value.empty();
      }
      if (k == "state") {
        n.state = std::string(value);
        return !value.empty();
      }
      if (k == "lladdr") {
        n.lladdr = parse_mac(value);
        return n.lladdr.has_value();
      }
      return true;
    });
    if (err) return err;
    snapshot_.neighbours.push_back(std::move(n));
    return std::nullopt;
  }

  Snapshot snapshot_;
  std::size_t line_no_ = 0;
};

std::string info_record(const Snapshot& s) {
  return "info version=" + word(s.version) + " size=" + std::to_string(s.table_size) +
         " tcp=" + std::to_string(s.timeouts.tcp_s) +
         " tcpfin=" + std::to_string(s.timeouts.tcpfin_s) +
         " udp=" + std::to_string(s.timeouts.udp_s);
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
    std::string nud(nud_state_name(request.nud));
    for (char& c : nud) c = static_cast<char>(c - 'A' + 'a');
    out += ' ' + format_mac(request.lladdr) + ' ' + nud;
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
    auto nud = parse_admin_nud(words[4]);
    if (!nud) {
      return ProtocolError{"bad nud state '" + std::string(words[4]) +
                           "' (expected permanent, noarp, reachable or stale)"};
    }
    request.nud = *nud;
  }
  return request;
}

std::string encode_response(const Snapshot& snapshot, Command command) {
  std::vector<std::string> records;
  records.push_back(info_record(snapshot));
  if (command == Command::list) {
    for (const ServiceSnapshot& s : snapshot.services) {
      std::string r = "service " + s.key.to_string() + " scheduler=" + word(s.scheduler);
      if (s.persistent) r += " persistent=" + std::to_string(s.persistent_timeout_s);
      if (s.netmask != 0xffffffffu) r += " netmask=" + format_ipv4(s.netmask);
      std::string flags;
      if (s.sh_fallback) flags += "sh-fallback,";
      if (s.sh_port) flags += "sh-port,";
      if (s.one_packet) flags += "ops,";
      if (!flags.empty()) {
        flags.pop_back();
        r += " flags=" + flags;
      }
      append_counters(r, s.stats, s.rates);
      records.push_back(std::move(r));
      for (const DestinationSnapshot& d : s.destinations) {
        std::string dr = "dest " + format_endpoint(d.address) + " forward=" + word(d.forwarding) +
                         " weight=" + std::to_string(d.weight) +
                         " active=" + std::to_string(d.active_conns) +
                         " inactive=" + std::to_string(d.inactive_conns) +
                         " persistent=" + std::to_string(d.persistent_conns) +
                         " uthreshold=" + std::to_string(d.u_threshold) +
                         " lthreshold=" + std::to_string(d.l_threshold);
        if (d.dead) dr += " dead=1";  // only when set: older readers ignore unknown keys
        append_counters(dr, d.stats, d.rates);
        records.push_back(std::move(dr));
      }
    }
  } else if (command == Command::neigh_show) {
    for (const NeighbourSnapshot& n : snapshot.neighbours) {
      std::string r =
          "neigh " + format_ipv4(n.ip) + " dev=" + word(n.device) + " state=" + word(n.state);
      if (n.lladdr) r += " lladdr=" + format_mac(*n.lladdr);
      records.push_back(std::move(r));
    }
  } else if (command == Command::list_connections) {
    for (const ConnectionSnapshot& c : snapshot.connections) {
      records.push_back("conn " + std::string(c.protocol == ConnProtocol::tcp ? "tcp" : "udp") +
                        " " + format_endpoint(c.client) + " " + format_endpoint(c.vip) + " " +
                        format_endpoint(c.destination) + " " + word(c.state) + " " +
                        std::to_string(c.expires_ms));
    }
  }
  std::string out(kProtocolTag);
  out += " OK " + std::to_string(records.size()) + "\n";
  for (const std::string& r : records) {
    out += r;
    out += '\n';
  }
  return out;
}

std::string encode_error_response(std::string_view message) {
  std::string out(kProtocolTag);
  out += " ERROR ";
  for (char c : message) out += (c == '\n' || c == '\r') ? ' ' : c;
  out += '\n';
  return out;
}

std::variant<Snapshot, ProtocolError> decode_response(std::string_view text) {
  if (text.empty()) {
    return ProtocolError{"empty response (the director closed the connection without answering)"};
  }
  std::size_t eol = text.find('\n');
  if (eol == std::string_view::npos) return ProtocolError{"response has no complete first line"};
  std::string_view status = strip_line_end(text.substr(0, eol + 1));
  std::string_view body = text.substr(eol + 1);

  if (!status.starts_with(kProtocolTag) || status.size() == kProtocolTag.size() ||
      status[kProtocolTag.size()] != ' ') {
    if (status.starts_with("LVSCTL/")) {
      return ProtocolError{"the director speaks " +
                           std::string(status.substr(0, status.find(' '))) + ", this lvsadm " +
                           std::string(kProtocolTag) + " (use the lvsadm built with it)"};
    }
    return ProtocolError{"not an lvs-director response (first line does not start with " +
                         std::string(kProtocolTag) + ")"};
  }
  std::string_view rest = status.substr(kProtocolTag.size() + 1);
  if (rest.starts_with("ERROR")) {
    std::string_view message = rest.substr(5);
    if (message.starts_with(' ')) message.remove_prefix(1);
    return ProtocolError{"lvs-director: " + std::string(message)};
  }
  if (!rest.starts_with("OK ")) {
    return ProtocolError{"bad response status '" + std::string(rest) + "' (expected OK or ERROR)"};
  }
  auto count = parse_number<std::size_t>(rest.substr(3));
  if (!count) return ProtocolError{"bad record count '" + std::string(rest.substr(3)) + "'"};

  ResponseDecoder decoder;
  std::size_t seen = 0;
  std::size_t line_no = 1;
  while (!body.empty()) {
    ++line_no;
    std::size_t end = body.find('\n');
    if (end == std::string_view::npos) {
      return ProtocolError{"response line " + std::to_string(line_no) +
                           ": truncated (no newline at the end)"};
    }
    std::string_view line = strip_line_end(body.substr(0, end + 1));
    body.remove_prefix(end + 1);
    if (++seen > *count) {
      return ProtocolError{"response has more records than the " + std::to_string(*count) +
                           " announced"};
    }
    if (auto err = decoder.record(line_no, line)) return *err;
  }
  if (seen < *count) {
    return ProtocolError{"response truncated: " + std::to_string(seen) + " of " +
                         std::to_string(*count) + " records"};
  }
  return decoder.take();
}

std::string handle_request(std::string_view request, const Snapshot& snapshot) {
  auto decoded = decode_request(request);
  if (auto* err = std::get_if<ProtocolError>(&decoded)) {
    return encode_error_response(err->message);
  }
  return encode_response(snapshot, std::get<Request>(decoded).command);
}

}  // namespace lvs::ctl
