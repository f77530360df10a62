#include "ctl/lvsadm_args.h"

#include <charconv>

#include "config/neighbour_entry.h"

namespace lvs::ctl {

const char* const kLvsadmUsage =
    "Usage:\n"
    "  lvsadm [--socket PATH] -L|l [-n] [--stats|--rate|--thresholds|--persistent-conn]\n"
    "         [--exact] [--nosort] [-t|u|f service-address]\n"
    "  lvsadm [--socket PATH] -L|l -c [-n]\n"
    "  lvsadm [--socket PATH] -L|l --timeout\n"
    "  lvsadm simulate --config FILE [--events FILE] [--random-seed N]\n"
    "  lvsadm [--socket PATH] neigh show|flush|del IP\n"
    "  lvsadm [--socket PATH] neigh add IP lladdr MAC [nud permanent|noarp|reachable|stale]\n"
    "  lvsadm -h\n"
    "\n"
    "Options:\n"
    "  --list         -L|-l                list the table of the running director\n"
    "  --numeric      -n                   numeric output (always: lvsadm resolves no names)\n"
    "  --connection   -c                   output of current IPVS connections\n"
    "  --stats                             output of statistics information\n"
    "  --rate                              output of rate information\n"
    "  --exact        -X                   expand numbers (display exact values)\n"
    "  --thresholds                        output of thresholds information\n"
    "  --persistent-conn                   output of persistent connection info\n"
    "  --timeout                           output of timeout (tcp tcpfin udp)\n"
    "  --nosort                            disable sorting output of service/server entries\n"
    "  --sort                              does nothing, for backwards compatibility\n"
    "  --tcp-service  -t service-address   service-address is IP:port\n"
    "  --udp-service  -u service-address   service-address is IP:port\n"
    "  --fwmark-service -f fwmark          fwmark is an integer greater than zero\n"
    "  --socket PATH                       the director's control socket\n"
    "                                      (default /run/lvs/director.sock)\n"
    "\n"
    "The ipvsadm commands that change the table (-A -E -D -C -a -e -d -Z -S -R --set) are not\n"
    "supported yet: edit the director's configuration and send it SIGHUP.\n"
    "\n"
    "simulate: offline dry run of the schedulers and connection table (no daemon, no root);\n"
    "  events are read from FILE or standard input ('-'), one per line:\n"
    "    new CLIENT_IP:PORT [SERVICE [DEST_IP:PORT]]   fin N   close N\n"
    "    add SERVICE RS_IP:PORT WEIGHT [-x N] [-y N]   edit (the same)\n"
    "    del SERVICE RS_IP:PORT   tick SECONDS\n"
    "  SERVICE is tcp/VIP:PORT, udp/VIP:PORT or fwm/MARK (default: the first service);\n"
    "  -x/-y (--u-threshold/--l-threshold) are ipvsadm's: omitted means 0, no limit\n"
    "  --random-seed N seeds twos' random draws (default 1), as lvs-director --random-seed N\n"
    "\n"
    "neigh: the director's own neighbour (ARP) table, in `ip neigh show` layout; flush keeps\n"
    "  PERMANENT entries; add defaults to nud permanent (entries from `mac:` are PERMANENT).\n";

namespace {

// ipvsadm's commands other than -L, and the options that only make sense with them.
struct Unsupported {
  char short_name;
  const char* long_name;
  bool is_command;
  bool takes_value;
};
constexpr Unsupported kUnsupported[] = {
    {'A', "add-service", true, false},
    {'E', "edit-service", true, false},
    {'D', "delete-service", true, false},
    {'C', "clear", true, false},
    {'a', "add-server", true, false},
    {'e', "edit-server", true, false},
    {'d', "delete-server", true, false},
    {'Z', "zero", true, false},
    {'S', "save", true, false},
    {'R', "restore", true, false},
    {0, "set", true, false},
    {0, "start-daemon", true, true},
    {0, "stop-daemon", true, true},
    {'s', "scheduler", false, true},
    {'p', "persistent", false, false},
    {'M', "netmask", false, true},
    {'r', "real-server", false, true},
    {'g', "gatewaying", false, false},
    {'i', "ipip", false, false},
    {'m', "masquerading", false, false},
    {'w', "weight", false, true},
    {'x', "u-threshold", false, true},
    {'y', "l-threshold", false, true},
    {'o', "ops", false, false},
    {'b', "sched-flags", false, true},
    {0, "mcast-interface", false, true},
    {0, "syncid", false, true},
};

const Unsupported* find_unsupported_short(char c) {
  for (const Unsupported& u : kUnsupported) {
    if (u.short_name == c) return &u;
  }
  return nullptr;
}
const Unsupported* find_unsupported_long(std::string_view name) {
  for (const Unsupported& u : kUnsupported) {
    if (name == u.long_name) return &u;
  }
  return nullptr;
}

std::string describe(const Unsupported& u) {
  std::string text;
  if (u.short_name) text = std::string("-") + u.short_name + " (";
  text += std::string("--") + u.long_name;
  if (u.short_name) text += ")";
  return text;
}

// -t/-u take "IP:PORT" (ipvsadm also takes host names and service names; the director resolves
// none, so they are refused with a message saying so).
std::variant<config::ServiceKey, UsageError> service_argument(char option,
                                                              const std::string& value) {
  config::ServiceKey key;
  if (option == 'f') {
    // As ipvsadm's string_to_number(): decimal, leading zeros allowed, 1..2^32-1.
    std::uint32_t mark = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), mark);
    if (value.empty() || ec != std::errc() || end != value.data() + value.size() || mark == 0) {
      return UsageError{"invalid fwmark '" + value + "': an integer from 1 to 4294967295"};
    }
    key.protocol = config::ServiceProtocol::Fwmark;
    key.fwmark = mark;
    return key;
  }
  key.protocol = option == 't' ? config::ServiceProtocol::Tcp : config::ServiceProtocol::Udp;
  auto ep = parse_endpoint(value);
  if (!ep) {
    return UsageError{"invalid service address '" + value +
                      "': give it as IP:PORT, e.g. 10.200.0.100:80 (names are not resolved)"};
  }
  key.vip = *ep;
  return key;
}

class Parser {
 public:
  explicit Parser(const std::vector<std::string>& args) : args_(args) {}

  std::variant<Invocation, UsageError> run() {
    for (i_ = 0; i_ < args_.size(); ++i_) {
      const std::string& arg = args_[i_];
      std::optional<UsageError> err;
      if (arg.starts_with("--") && arg.size() > 2) {
        err = long_option(arg.substr(2));
      } else if (arg.starts_with('-') && arg.size() > 1) {
        err = short_cluster(arg);
      } else if (unsupported_command_.empty()) {
        // (--set takes three bare numbers; they go unread with the rest of a refused command.)
        err = UsageError{"unexpected argument '" + arg + "'"};
      }
      if (err) return *err;
    }
    return finish();
  }

 private:
  // The value of an option: the rest of its cluster / after '=', else the next argument.
  std::optional<std::string> value(std::optional<std::string> inline_value) {
    if (inline_value) return inline_value;
    if (i_ + 1 >= args_.size()) return std::nullopt;
    return args_[++i_];
  }

  std::optional<UsageError> set_service(char option, std::optional<std::string> inline_value,
                                        const char* name) {
    auto v = value(std::move(inline_value));
    if (!v) return UsageError{std::string("option ") + name + " requires a service address"};
    if (inv_.list.service) return UsageError{"multiple service options specified"};
    auto key = service_argument(option, *v);
    if (auto* e = std::get_if<UsageError>(&key)) return *e;
    inv_.list.service = std::get<config::ServiceKey>(key);
    return std::nullopt;
  }

  std::optional<UsageError> command_list() {
    if (list_given_) return UsageError{"multiple commands specified"};
    list_given_ = true;
    return std::nullopt;
  }

  std::optional<UsageError> unsupported(const Unsupported& u, std::optional<std::string> inl) {
    if (u.takes_value && !value(std::move(inl))) {
      return UsageError{"option " + describe(u) + " requires a value"};
    }
    if (u.is_command) {
      if (!unsupported_command_.empty()) return UsageError{"multiple commands specified"};
      unsupported_command_ = describe(u);
    } else if (unsupported_option_.empty()) {
      unsupported_option_ = describe(u);
    }
    return std::nullopt;
  }

  std::optional<UsageError> long_option(std::string_view body) {
    std::optional<std::string> inl;
    std::string_view name = body;
    if (auto eq = body.find('='); eq != std::string_view::npos) {
      name = body.substr(0, eq);
      inl = std::string(body.substr(eq + 1));
    }
    auto no_value = [&]() -> std::optional<UsageError> {
      if (inl) return UsageError{"option --" + std::string(name) + " takes no value"};
      return std::nullopt;
    };
    ListRequest& l = inv_.list;
    if (name == "list") {
      if (auto e = no_value()) return e;
      return command_list();
    }
    if (name == "help") {
      if (auto e = no_value()) return e;
      help_ = true;
      return std::nullopt;
    }
    if (name == "socket") {
      auto v = value(std::move(inl));
      if (!v || v->empty()) return UsageError{"option --socket requires a path"};
      inv_.socket_path = *v;
      return std::nullopt;
    }
    if (name == "tcp-service") return set_service('t', std::move(inl), "--tcp-service");
    if (name == "udp-service") return set_service('u', std::move(inl), "--udp-service");
    if (name == "fwmark-service") return set_service('f', std::move(inl), "--fwmark-service");

    bool* flag = nullptr;
    std::optional<ListView> view;
    if (name == "numeric")
      flag = &l.numeric;
    else if (name == "connection")
      flag = &l.connections;
    else if (name == "timeout")
      flag = &l.timeouts;
    else if (name == "daemon")
      flag = &l.daemon;
    else if (name == "exact")
      flag = &l.format.exact;
    else if (name == "stats")
      view = ListView::stats;
    else if (name == "rate")
      view = ListView::rate;
    else if (name == "thresholds")
      view = ListView::thresholds;
    else if (name == "persistent-conn")
      view = ListView::persistent_conn;
    if (flag || view) {
      if (auto e = no_value()) return e;
      if (flag) *flag = true;
      if (view) views_.push_back(*view);
      return std::nullopt;
    }
    if (name == "nosort" || name == "sort") {
      if (auto e = no_value()) return e;
      l.format.sort = name == "sort" ? l.format.sort : false;
      return std::nullopt;
    }
    if (const Unsupported* u = find_unsupported_long(name)) return unsupported(*u, std::move(inl));
    return UsageError{"unknown option '--" + std::string(name) + "'"};
  }

  std::optional<UsageError> short_cluster(const std::string& arg) {
    for (std::size_t k = 1; k < arg.size(); ++k) {
      const char c = arg[k];
      // An option with a value takes the rest of the cluster, or the next argument.
      auto rest = [&]() -> std::optional<std::string> {
        if (k + 1 < arg.size()) {
          std::string r = arg.substr(k + 1);
          k = arg.size();
          return r;
        }
        return std::nullopt;
      };
      std::optional<UsageError> err;
      switch (c) {
        case 'L':
        case 'l':
          err = command_list();
          break;
        case 'n':
          inv_.list.numeric = true;
          break;
        case 'c':
          inv_.list.connections = true;
          break;
        case 'X':
          inv_.list.format.exact = true;
          break;
        case 'h':
          help_ = true;
          break;
        case 't':
        case 'u':
        case 'f': {
          const char name[] = {'-', c, '\0'};
          err = set_service(c, rest(), name);
          break;
        }
        default:
          if (const Unsupported* u = find_unsupported_short(c)) {
            if (c == 'p') {
              // -p [timeout]: popt's optional value; a following number belongs to it.
              std::optional<std::string> timeout = rest();
              if (!timeout && i_ + 1 < args_.size() && !args_[i_ + 1].empty() &&
                  args_[i_ + 1].find_first_not_of("0123456789") == std::string::npos) {
                ++i_;
              }
            }
            err = unsupported(*u, u->takes_value ? rest() : std::nullopt);
          } else {
            err = UsageError{std::string("unknown option '-") + c + "'"};
          }
      }
      if (err) return err;
    }
    return std::nullopt;
  }

  std::variant<Invocation, UsageError> finish() {
    if (help_) {
      inv_.action = Invocation::Action::help;
      return inv_;
    }
    if (!unsupported_command_.empty()) {
      if (list_given_) return UsageError{"multiple commands specified"};
      inv_.action = Invocation::Action::unsupported;
      inv_.unsupported = unsupported_command_;
      return inv_;
    }
    // ipvsadm lists when given no command at all ("ipvsadm", "ipvsadm -n").
    ListRequest& l = inv_.list;
    if (!unsupported_option_.empty()) {
      return UsageError{"illegal option " + unsupported_option_ + " with the list command"};
    }
    // ipvsadm's commands_v_options: -c, a service, --timeout and --daemon exclude each other.
    int exclusive =
        (l.connections ? 1 : 0) + (l.service ? 1 : 0) + (l.timeouts ? 1 : 0) + (l.daemon ? 1 : 0);
    if (exclusive > 1) {
      return UsageError{
          "-c, -t/-u/-f, --timeout and --daemon cannot be combined (choose one listing)"};
    }
    // print_title()'s precedence when several views are given: stats, rate, thresholds,
    // persistent-conn.
    for (ListView v :
         {ListView::stats, ListView::rate, ListView::thresholds, ListView::persistent_conn}) {
      bool given = false;
      for (ListView w : views_) given = given || w == v;
      if (given) {
        l.format.view = v;
        break;
      }
    }
    inv_.action = Invocation::Action::list;
    return inv_;
  }

  const std::vector<std::string>& args_;
  std::size_t i_ = 0;
  Invocation inv_;
  bool list_given_ = false;
  bool help_ = false;
  std::string unsupported_command_;
  std::string unsupported_option_;
  std::vector<ListView> views_;
};

}  // namespace

// The words after `neigh`.
static std::variant<Request, UsageError> parse_neigh_args(const std::vector<std::string>& w) {
  Request r;
  const std::string verb = w.empty() ? "show" : w[0];
  if (verb == "show" || verb == "list" || verb == "ls") {
    if (w.size() > 1) return UsageError{"neigh show takes no arguments"};
    r.command = Command::neigh_show;
    return r;
  }
  if (verb == "flush") {
    if (w.size() > 1) return UsageError{"neigh flush takes no arguments (PERMANENT entries stay)"};
    r.command = Command::neigh_flush;
    return r;
  }
  const bool add = verb == "add" || verb == "replace";
  const bool del = verb == "del" || verb == "delete";
  if (!add && !del) {
    return UsageError{"neigh: unknown command '" + verb + "' (expected show, flush, add or del)"};
  }
  r.command = add ? Command::neigh_add : Command::neigh_del;
  bool have_ip = false, have_mac = false;
  for (std::size_t i = 1; i < w.size(); ++i) {
    const std::string& word = w[i];
    auto next = [&]() -> std::optional<std::string> {
      if (i + 1 >= w.size()) return std::nullopt;
      return w[++i];
    };
    if (word == "lladdr" && add) {
      auto v = next();
      if (!v) return UsageError{"neigh " + verb + ": lladdr needs a MAC address"};
      auto mac = parse_mac(*v);
      if (!mac) return UsageError{"neigh " + verb + ": invalid MAC address '" + *v + "'"};
      r.lladdr = *mac;
      have_mac = true;
    } else if (word == "nud" && add) {
      auto v = next();
      if (!v) return UsageError{"neigh " + verb + ": nud needs a state"};
      auto nud = parse_admin_nud_state(*v);
      if (!nud) {
        return UsageError{"neigh " + verb + ": invalid nud state '" + *v +
                          "' (expected permanent, noarp, reachable or stale)"};
      }
      r.nud = *nud;
    } else if (word == "dev") {
      if (!next()) return UsageError{"neigh " + verb + ": dev needs an interface name"};
    } else if (!have_ip) {
      auto ip = parse_ipv4(word);
      if (!ip) return UsageError{"neigh " + verb + ": invalid IPv4 address '" + word + "'"};
      r.ip = *ip;
      have_ip = true;
    } else {
      return UsageError{"neigh " + verb + ": unexpected argument '" + word + "'"};
    }
  }
  if (!have_ip) return UsageError{"neigh " + verb + ": an IPv4 address is required"};
  if (add && !have_mac) return UsageError{"neigh " + verb + ": lladdr MAC is required"};
  if (add) {
    // The config's rule for PERMANENT entries; the director checks again, knowing its VIPs.
    if (auto problem = config::neighbour_entry_problem(r.ip, r.lladdr, {}); !problem.empty()) {
      return UsageError{"neigh " + verb + ": " + problem};
    }
  }
  return r;
}

std::variant<Invocation, UsageError> parse_lvsadm_args(const std::vector<std::string>& args) {
  // `[--socket PATH] neigh ...`: not ipvsadm's syntax, so not the popt-style parser's.
  std::size_t i = 0;
  std::string socket_path(kDefaultControlSocket);
  while (i < args.size()) {
    if (args[i] == "--socket" && i + 1 < args.size()) {
      socket_path = args[i + 1];
      i += 2;
    } else if (args[i].starts_with("--socket=")) {
      socket_path = args[i].substr(9);
      ++i;
    } else {
      break;
    }
  }
  if (i < args.size() && args[i] == "neigh") {
    auto parsed = parse_neigh_args(std::vector<std::string>(args.begin() + i + 1, args.end()));
    if (auto* err = std::get_if<UsageError>(&parsed)) return *err;
    Invocation inv;
    inv.action = Invocation::Action::neigh;
    inv.neigh = std::get<Request>(parsed);
    inv.socket_path = socket_path;
    return inv;
  }
  return Parser(args).run();
}

}  // namespace lvs::ctl
