// The control protocol between lvsadm and lvs-director, over the Unix stream socket named by
// `control-socket` (default /run/lvs/director.sock). Line-based text, so `socat - UNIX:...` is a
// debugger, and versioned in every message so an old lvsadm talking to a newer daemon fails with
// a clear message instead of misreading.
//
//   request  = "LVSCTL/1 " COMMAND "\n"            COMMAND: LIST | LIST-CONNECTIONS | NEIGH-SHOW
//                                                  | NEIGH-FLUSH | NEIGH-DEL IP
//                                                  | NEIGH-ADD IP MAC
//                                                  [permanent|noarp|reachable|stale]
//   response = "LVSCTL/1 OK " N "\n" N*(record "\n")
//            | "LVSCTL/1 ERROR " message "\n"
//   records  = "info version=1.2.1 size=4096 tcp=900 tcpfin=120 udp=300"
//              "service tcp/VIP:PORT scheduler=wlc [persistent=S] [netmask=M] [flags=a,b]
//                       conns= inpkts= outpkts= inbytes= outbytes= cps= inpps= outpps= inbps=
//                       outbps="
//              "dest IP:PORT forward=Route weight= active= inactive= persistent= uthreshold=
//                    lthreshold= <the ten counters>"        (belongs to the service above it)
//              "conn tcp|udp CLIENT:PORT VIP:PORT DEST:PORT STATE EXPIRES_MS"
//              "neigh IP dev=IF state=STATE [lladdr=MAC]"   (NEIGH-SHOW; `ip neigh show`)
//   NEIGH-FLUSH/ADD/DEL answer the info record alone, or ERROR saying why nothing changed.
//
// The client sends one request and shuts down its writing side; the server answers and closes.
// The server side is ctl/control_dispatch.h: it decodes each request once and asks a
// ControlBackend (ctl/control_backend.h) for what the answer carries.
// Within version 1, new keys and record kinds may be added: decoders ignore what they do not know.
// Anything incompatible bumps the version.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "ctl/snapshot.h"
#include "neigh/nud_state.h"

namespace lvs::ctl {

// Where lvsadm looks for the director unless told otherwise (the config's `control-socket`).
inline constexpr std::string_view kDefaultControlSocket = "/run/lvs/director.sock";

inline constexpr std::string_view kProtocolTag = "LVSCTL/1";

// Longest request line a server needs to read (requests are one short line).
inline constexpr std::size_t kMaxRequestBytes = 4096;

enum class Command : std::uint8_t {
  list,              // services, destinations, timeouts (-L, --stats, --rate, --timeout, ...)
  list_connections,  // the connection table (-L -c)
  neigh_show,        // the neighbour table (lvsadm neigh show)
  neigh_flush,       // remove every entry but PERMANENT ones (lvsadm neigh flush)
  neigh_add,         // add or replace an entry (lvsadm neigh add IP lladdr MAC nud STATE)
  neigh_del,         // remove one entry (lvsadm neigh del IP)
};

struct Request {
  Command command = Command::list;
  Ipv4 ip = 0;                         // neigh_add, neigh_del
  MacAddress lladdr{};                 // neigh_add
  NudState nud = NudState::Permanent;  // neigh_add: Permanent, Noarp, Reachable or Stale
  friend bool operator==(const Request&, const Request&) = default;
};

struct ProtocolError {
  std::string message;  // what was wrong and where: "response line 3: dest before any service"
};

// --- Requests (control_protocol.cpp) ---

std::string encode_request(const Request& request);
// Accepts the line with or without its trailing "\n" (or "\r\n").
std::variant<Request, ProtocolError> decode_request(std::string_view line);

// --- Responses, record by record (control_records.cpp) ---
// A response is the status line and its records; each encoder below returns one record's line
// with its "\n", so an answer can be streamed record by record (ctl/connection_listing.h).

// "LVSCTL/1 OK <records>\n"
std::string ok_status_line(std::size_t records);
// The ERROR response; newlines in `message` are flattened so the framing survives.
std::string encode_error_response(std::string_view message);
std::string info_record(const Snapshot& snapshot);
// The service record followed by one dest record per destination, in the snapshot's order.
std::string service_records(const ServiceSnapshot& service);
std::string connection_record(const ConnectionSnapshot& connection);
std::string neighbour_record(const NeighbourSnapshot& neighbour);

// The whole OK response to `command`: LIST carries info + services, LIST-CONNECTIONS info +
// connections, NEIGH-SHOW info + neighbours, the NEIGH changes the info record alone.
std::string encode_response(const Snapshot& snapshot, Command command);

// --- Decoding a response (control_response_decoder.cpp; lvsadm's side) ---

// An OK response becomes the Snapshot it carries (fields the command does not cover stay empty);
// an ERROR response becomes a ProtocolError "lvs-director: <its message>".
std::variant<Snapshot, ProtocolError> decode_response(std::string_view text);

}  // namespace lvs::ctl
