// What the loader harnesses check beyond "no crash, no leak": an error list is never empty and
// each error prints as one line (the operator sees `file:line:col: key: message`).
#pragma once

#include <cstdio>
#include <string>
#include <variant>
#include <vector>

#include "config/loader.h"

namespace lvs::fuzz {

template <class Config>
void check_errors(const config::LoadResult<Config>& result) {
  const auto* errors = std::get_if<std::vector<config::ConfigError>>(&result);
  if (errors == nullptr) return;
  if (errors->empty()) __builtin_trap();
#ifndef LVS_FUZZ_ALLOW_MULTILINE_ERRORS
  for (const auto& e : *errors) {
    if (e.to_string().find_first_of("\r\n") != std::string::npos) {
      std::fprintf(stderr, "error message with a newline: %s\n", e.to_string().c_str());
      __builtin_trap();
    }
  }
#endif
}

}  // namespace lvs::fuzz
