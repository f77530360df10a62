// lvsadm's side of the control socket: one blocking request/response exchange with a running
// lvs-director. Errors are values whose message says what failed, where, and what to check.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <variant>

#include "ctl/control_protocol.h"
#include "ctl/snapshot.h"

namespace lvs::ctl {

struct ClientError {
  std::string message;  // "cannot connect to /run/lvs/director.sock: No such file or directory
                        //  (is lvs-director running?)"
};

// Connects to the Unix stream socket at `socket_path`, sends `request`, shuts down the writing
// side and reads until the director closes. `timeout` bounds the whole exchange.
std::variant<std::string, ClientError> send_request(
    const std::string& socket_path, std::string_view request,
    std::chrono::milliseconds timeout = std::chrono::seconds(5));

// send_request() + the protocol: the Snapshot the director answered with, or why there is none.
std::variant<Snapshot, ClientError> fetch_snapshot(
    const std::string& socket_path, Command command,
    std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace lvs::ctl
