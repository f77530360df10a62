// lvsadm's command line, parsed the way ipvsadm's popt table reads it: short options may be
// clustered ("-Ln", "-Lnc", "-Lnt 10.200.0.100:80"), long options take "--opt VALUE" or
// "--opt=VALUE", plus lvsadm's own `--socket PATH`. Pure: no I/O, so every error is testable.
// What a parsed listing prints is ctl/lvsadm_listing.h's business.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "config/service_key.h"
#include "ctl/control_protocol.h"
#include "ctl/ipvsadm_format.h"

namespace lvs::ctl {

// What `-L` was asked to show.
struct ListRequest {
  ListFormat format;
  bool connections = false;                   // -c
  bool timeouts = false;                      // --timeout
  bool daemon = false;                        // --daemon
  std::optional<config::ServiceKey> service;  // -t/-u/-f: list that one service
  bool numeric = false;  // -n (names are never resolved; accepted for ipvsadm's sake)
};

struct Invocation {
  enum class Action { list, help, unsupported, neigh };
  Action action = Action::list;
  ListRequest list;
  Request neigh;  // for Action::neigh: NEIGH-SHOW/FLUSH/ADD/DEL
  std::string socket_path = std::string(kDefaultControlSocket);
  std::string unsupported;  // for Action::unsupported: "-A (--add-service)"
};

struct UsageError {
  std::string message;  // one line, without the program name
};

// `args` excludes argv[0]. No arguments means "-L", as with ipvsadm. `[--socket PATH] neigh ...`
// is lvsadm's neighbour command, in `ip neigh`'s words:
//   neigh [show|list]   neigh flush   neigh del|delete IP
//   neigh add|replace IP lladdr MAC [nud permanent|noarp|reachable|stale] [dev IF]
// (`add` defaults to nud permanent, as `ip neigh add` does; `dev` is accepted and ignored: the
// director has one interface).
std::variant<Invocation, UsageError> parse_lvsadm_args(const std::vector<std::string>& args);

// The help text (`lvsadm -h`).
extern const char* const kLvsadmUsage;

}  // namespace lvs::ctl
