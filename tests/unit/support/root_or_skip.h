// For the tests that need root to make their own network namespace: skipped when run
// unprivileged, except under CI=true, where a skip would hide what they check and so fails.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace lvs::test {

inline bool under_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

}  // namespace lvs::test

// In a TEST body: `CAPABILITY` names what root is needed for under CI, `WHY` what a skip says.
#define LVS_REQUIRE_ROOT_OR_SKIP(CAPABILITY, WHY)                                       \
  do {                                                                                  \
    if (::geteuid() != 0) {                                                             \
      if (::lvs::test::under_ci()) FAIL() << "needs root (" CAPABILITY ") and CI=true"; \
      GTEST_SKIP() << "needs root: " WHY;                                               \
    }                                                                                   \
  } while (0)
