// The last line of defence of every program's main(): whatever escapes (std::bad_alloc from a
// huge input included) ends as one line on stderr and exit 1, never std::terminate's abort and
// core dump. Header-only, so lvsadm uses it without linking the base library.
#pragma once

#include <cstdio>
#include <exception>
#include <new>

namespace lvs::base {

template <class Run>
int guarded_main(const char* program, Run&& run) noexcept {
  try {
    return run();
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "%s: out of memory\n", program);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: internal error: %s\n", program, e.what());
  } catch (...) {
    std::fprintf(stderr, "%s: internal error: unknown exception\n", program);
  }
  return 1;
}

}  // namespace lvs::base
