#!/usr/bin/env bash
# Sets up everything and runs every test: installs the packages, checks the CI gates
# (tests/gates/: formatting, pure cores without kernel headers, no tracked leftovers), builds
# (Release), runs all tests through ctest, then builds the unit tests again with
# AddressSanitizer + UndefinedBehaviorSanitizer in a second tree and runs them (and the
# command-line tests, on the sanitized binaries), then the fuzz step: the libFuzzer harnesses
# (tests/fuzz/) built with clang in build-fuzz/ and run for a bounded time each
# (LVS_FUZZ_SECONDS, default 15; 0 skips the step). Exits non-zero on any failure,
# sanitizer report, or fuzzer crash, leak, timeout or out-of-memory.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
jobs=$(nproc 2>/dev/null || echo 2)

echo "== dependencies"
bash deploy/install-deps.sh

echo "== gates"
for gate in tests/gates/*.sh; do bash "$gate" "$root"; done

echo "== build (Release) in build/"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$jobs"

echo "== sanitizer build (ASan + UBSan) in build-asan/"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLVS_SANITIZE=ON -DLVS_BUILD_BENCH=OFF
cmake --build build-asan -j"$jobs"

echo "== unit and command-line tests under ASan + UBSan"
# halt_on_error plus -fno-sanitize-recover=all: any sanitizer report makes the test fail.
ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:strict_string_checks=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs" -LE "lab|gate"

echo "== all tests (Release)"
ctest --test-dir build --output-on-failure -j"$jobs"

if [ "${LVS_FUZZ_SECONDS:-10}" != 0 ]; then
  echo "== fuzz (libFuzzer + ASan + UBSan, clang) in build-fuzz/"
  bash tests/fuzz/run-fuzz.sh "${LVS_FUZZ_SECONDS:-10}"
fi
