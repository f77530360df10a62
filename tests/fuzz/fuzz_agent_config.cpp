// libFuzzer harness: the real-server agent's YAML loader (config/loader.h), as
// fuzz_director_config.cpp does for the director's.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/loader.h"
#include "fuzz_config_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string yaml(reinterpret_cast<const char*>(data), size);
  lvs::fuzz::check_errors(lvs::config::load_agent_config_string(yaml, "fuzz.yaml"));
  return 0;
}
