// The event language of `lvsadm simulate` (DESIGN.md §4), parsed in full before anything runs so
// that a bad file is rejected with every error and no output.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "config/model.h"
#include "sched/scheduler.h"

namespace lvs::sim {

// new CLIENT_IP:PORT [SERVICE [DEST_IP:PORT]] — DEST is the packet's destination, only for
// fwmark services (a tcp/udp service's packets go to its VIP:port); default 0.0.0.0:0.
struct NewConnection {
  Endpoint client;
  std::optional<config::ServiceKey> service;  // default: the first configured service
  std::optional<Endpoint> destination;
};
struct FinConnection {  // fin N
  std::uint32_t number = 0;
};
struct CloseConnection {  // close N
  std::uint32_t number = 0;
};
// add SERVICE RS_IP:PORT WEIGHT [-x N] [-y N] / edit (the same) / del SERVICE RS_IP:PORT.
// As ipvsadm -a/-e, an omitted -x/-y (--u-threshold/--l-threshold) sends 0, i.e. no limit: an
// edit does not keep the server's thresholds, nor an add those the configuration file gave it.
struct ChangeRealServer {
  enum class Kind : std::uint8_t { Add, Edit, Delete } kind = Kind::Add;
  config::ServiceKey service;
  Endpoint address;
  std::int32_t weight = 1;
  std::uint32_t u_threshold = 0;
  std::uint32_t l_threshold = 0;
};
struct AdvanceClock {  // tick SECONDS (decimal fractions allowed, millisecond resolution)
  TimeMs ms = 0;
};

using Event =
    std::variant<NewConnection, FinConnection, CloseConnection, ChangeRealServer, AdvanceClock>;

struct ScriptEvent {
  int line = 0;  // 1-based line in the events file
  Event event;
};

struct ScriptError {
  int line = 0;
  std::string message;
};

using ParseResult = std::variant<std::vector<ScriptEvent>, std::vector<ScriptError>>;

ParseResult parse_event_script(std::istream& in);

}  // namespace lvs::sim
