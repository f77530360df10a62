// libFuzzer harness: the director's YAML loader (config/loader.h) on any file an operator could
// point --config at. Every input ends in a configuration or a list of errors, never an
// exception, and every error is one line (file:line:col: key: message).
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/loader.h"
#include "fuzz_config_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string yaml(reinterpret_cast<const char*>(data), size);
  lvs::fuzz::check_errors(lvs::config::load_director_config_string(yaml, "fuzz.yaml"));
  return 0;
}
