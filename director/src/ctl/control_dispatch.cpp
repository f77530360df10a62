#include "ctl/control_dispatch.h"

#include <memory>
#include <variant>
#include <vector>

#include "config/neighbour_entry.h"
#include "ctl/connection_listing.h"
#include "ctl/control_protocol.h"

namespace lvs::ctl {
namespace {

// The answer to a NEIGH change: the info record alone, or the backend's reason.
std::string change_answer(const std::string& error, ControlBackend& backend, Command command) {
  if (!error.empty()) return encode_error_response(error);
  Snapshot info;
  info.timeouts = backend.timeouts();
  return encode_response(info, command);
}

}  // namespace

ControlAnswer answer_request(std::string_view request_line, ControlBackend& backend) {
  auto decoded = decode_request(request_line);
  if (auto* err = std::get_if<ProtocolError>(&decoded)) return encode_error_response(err->message);
  const Request& request = std::get<Request>(decoded);
  switch (request.command) {
    case Command::list:
      return encode_response(backend.list(), request.command);
    case Command::list_connections: {
      // The table is copied now; its encoding follows in pieces as the client reads.
      auto listing = std::make_shared<ConnectionListing>(backend.list_connections());
      ControlAnswer answer(listing->head());
      if (!listing->done())
        answer.more = [listing](std::string& out) { return listing->next(out); };
      return answer;
    }
    case Command::neigh_show: {
      Snapshot s;
      s.timeouts = backend.timeouts();
      s.neighbours = backend.neighbours();
      return encode_response(s, request.command);
    }
    case Command::neigh_flush:
      return change_answer(backend.neigh_flush(), backend, request.command);
    case Command::neigh_add: {
      // Whatever arrives on the socket, not only what lvsadm checked: the config's rule.
      const std::vector<Ipv4> vips = backend.vips();
      if (auto problem = config::neighbour_entry_problem(request.ip, request.lladdr, vips);
          !problem.empty()) {
        return encode_error_response("neigh add: " + problem);
      }
      return change_answer(backend.neigh_add(request.ip, request.lladdr, request.nud), backend,
                           request.command);
    }
    case Command::neigh_del:
      return change_answer(backend.neigh_del(request.ip), backend, request.command);
  }
  return encode_error_response("unknown command");
}

}  // namespace lvs::ctl
