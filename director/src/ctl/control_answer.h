// What the control server sends back to one request: `text`, then, while `more` is set, the
// pieces it appends to its argument (returning false with the last one). A large answer (-Lnc
// with 100k connections, ~7 MB) is produced piece by piece as the client reads it
// (io/control_server.h), so encoding it never holds up the event loop.
#pragma once

#include <functional>
#include <string>
#include <utility>

namespace lvs::ctl {

struct ControlAnswer {
  ControlAnswer() = default;
  ControlAnswer(std::string t) : text(std::move(t)) {}  // NOLINT: a plain answer is its text
  std::string text;
  std::function<bool(std::string& out)> more;
};

}  // namespace lvs::ctl
