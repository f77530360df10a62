// libFuzzer harness: lvsadm's argument parser (ctl/lvsadm_args.h). The input is the argument
// vector, one argument per line (argv[0] excluded), as a shell would pass it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "ctl/lvsadm_args.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> args;
  std::string word;
  for (std::size_t i = 0; i < size; ++i) {
    const char c = static_cast<char>(data[i]);
    if (c == '\n') {
      args.push_back(std::move(word));
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) args.push_back(std::move(word));
  const auto r = lvs::ctl::parse_lvsadm_args(args);
  if (const auto* error = std::get_if<lvs::ctl::UsageError>(&r)) {
    if (error->message.empty()) __builtin_trap();
  }
  return 0;
}
