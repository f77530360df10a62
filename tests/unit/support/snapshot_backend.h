// A control backend that answers from one fixed snapshot: what the protocol and socket tests put
// behind ctl::answer_request() where the director would be. `serve()` gives the whole answer
// text (with every streamed piece).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ctl/control_backend.h"
#include "ctl/control_dispatch.h"

namespace lvs::test {

class SnapshotBackend : public ctl::ControlBackend {
 public:
  explicit SnapshotBackend(ctl::Snapshot snapshot) : snapshot_(std::move(snapshot)) {}

  ctl::Snapshot list() override {
    ctl::Snapshot s = snapshot_;
    s.connections.clear();
    s.neighbours.clear();
    return s;
  }
  ctl::Snapshot list_connections() override {
    ctl::Snapshot s = snapshot_;
    s.services.clear();
    s.neighbours.clear();
    return s;
  }
  ctl::Timeouts timeouts() override { return snapshot_.timeouts; }
  std::vector<ctl::NeighbourSnapshot> neighbours() override { return snapshot_.neighbours; }
  std::string neigh_flush() override { return {}; }
  std::string neigh_add(Ipv4, const MacAddress&, NudState) override { return {}; }
  std::string neigh_del(Ipv4) override { return {}; }

 private:
  ctl::Snapshot snapshot_;
};

// The whole answer: its text and every piece streamed after it.
inline std::string whole(ctl::ControlAnswer answer) {
  std::string out = answer.text;
  while (answer.more && answer.more(out)) {
  }
  return out;
}

// The whole answer to `request` from `snapshot`, streamed pieces included.
inline std::string serve(std::string_view request, const ctl::Snapshot& snapshot) {
  SnapshotBackend backend(snapshot);
  return whole(ctl::answer_request(request, backend));
}

}  // namespace lvs::test
