// libFuzzer harness: lvsadm's control-protocol response decoder (ctl/control_protocol.h,
// control_response_decoder.cpp), which reads whatever answers on the socket.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ctl/control_protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto decoded =
      lvs::ctl::decode_response(std::string_view(reinterpret_cast<const char*>(data), size));
  if (const auto* error = std::get_if<lvs::ctl::ProtocolError>(&decoded)) {
    if (error->message.empty()) __builtin_trap();
  }
  return 0;
}
