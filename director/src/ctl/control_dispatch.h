// The server side of the control protocol, pure: one request line in, the answer out. The
// request is decoded once, the backend is asked for exactly what the command needs, and the
// answer is encoded record by record; LIST-CONNECTIONS streams (ctl/connection_listing.h).
// Never throws; a bad request gets an ERROR answer naming what was wrong.
#pragma once

#include <string_view>

#include "ctl/control_answer.h"
#include "ctl/control_backend.h"

namespace lvs::ctl {

ControlAnswer answer_request(std::string_view request_line, ControlBackend& backend);

}  // namespace lvs::ctl
