// lvsadm's command line for the ctl_lvsadm_* tests: arguments that must parse.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "ctl/lvsadm_args.h"

namespace lvs::test {

// What `lvsadm ARGS...` asks for; a usage error is a test failure (and an empty Invocation).
inline ctl::Invocation parse_ok(std::vector<std::string> args) {
  auto r = ctl::parse_lvsadm_args(args);
  if (auto* e = std::get_if<ctl::UsageError>(&r)) {
    ADD_FAILURE() << "unexpected usage error: " << e->message;
    return {};
  }
  return std::get<ctl::Invocation>(r);
}

}  // namespace lvs::test
