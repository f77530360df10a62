// libFuzzer harness: the director's control-protocol request decoder (ctl/control_protocol.h),
// which reads whatever a local client writes to the control socket, and the dispatch behind it
// (ctl/control_dispatch.h) with a fixed backend. A decoded request must encode back to a line
// that decodes to the same request, and every answer is OK or one ERROR line.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ctl/control_backend.h"
#include "ctl/control_dispatch.h"
#include "ctl/control_protocol.h"

namespace {

class FixedBackend : public lvs::ctl::ControlBackend {
 public:
  lvs::ctl::Snapshot list() override { return {}; }
  lvs::ctl::Snapshot list_connections() override { return {}; }
  lvs::ctl::Timeouts timeouts() override { return {}; }
  std::vector<lvs::ctl::NeighbourSnapshot> neighbours() override { return {}; }
  std::string neigh_flush() override { return {}; }
  std::string neigh_add(lvs::Ipv4, const lvs::MacAddress&, lvs::NudState) override { return {}; }
  std::string neigh_del(lvs::Ipv4) override { return "no such entry"; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  const auto decoded = lvs::ctl::decode_request(line);
  if (const auto* request = std::get_if<lvs::ctl::Request>(&decoded)) {
    const std::string encoded = lvs::ctl::encode_request(*request);
    const auto again = lvs::ctl::decode_request(encoded);
    const auto* same = std::get_if<lvs::ctl::Request>(&again);
    if (same == nullptr || !(*same == *request)) __builtin_trap();
  }
  FixedBackend backend;
  lvs::ctl::ControlAnswer answer = lvs::ctl::answer_request(line, backend);
  std::string text = answer.text;
  while (answer.more && answer.more(text)) {
  }
  if (!text.starts_with("LVSCTL/1 OK ") && !text.starts_with("LVSCTL/1 ERROR ")) __builtin_trap();
  if (text.starts_with("LVSCTL/1 ERROR ") && text.find('\n') != text.size() - 1) __builtin_trap();
  return 0;
}
