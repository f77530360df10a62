// libFuzzer harness: the `lvsadm simulate` event-script parser (sim/event_script.h). Every input
// yields events or errors, and an error list is never empty.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <variant>

#include "sim/event_script.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  const lvs::sim::ParseResult r = lvs::sim::parse_event_script(in);
  if (const auto* errors = std::get_if<std::vector<lvs::sim::ScriptError>>(&r)) {
    if (errors->empty()) __builtin_trap();
  }
  return 0;
}
