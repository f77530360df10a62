#!/usr/bin/env bash
# Builds the microbenchmarks (Release) and runs them, printing the medians.
#   bench/run-micro.sh [BUILD_DIR] [extra Google Benchmark flags...]
# BUILD_DIR defaults to build-bench at the repository root. MIN_TIME (seconds per repetition,
# default 0.2) keeps the whole run to a few minutes; the filters below drop the mean/stddev/cv
# rows so only the median of the 5 repetitions is shown.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build-bench}"
shift || true
min_time="${MIN_TIME:-0.2}"

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DLVS_BUILD_BENCH=ON >/dev/null
cmake --build "$build" --target sched_bench conn_bench config_loader_bench -j"$(nproc)"

echo "== $(uname -srm); $(nproc) CPUs; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "== load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine inflates the figures)"
for bench in sched_bench conn_bench config_loader_bench; do
  echo
  echo "== $bench --benchmark_min_time=$min_time $*"
  "$build/bench/$bench" --benchmark_min_time="$min_time" "$@" 2>&1 |
    grep -v -E '_(mean|stddev|cv) '
done
