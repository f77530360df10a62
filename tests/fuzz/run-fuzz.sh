#!/usr/bin/env bash
# The fuzz step of tests/run.sh: builds the libFuzzer harnesses (tests/fuzz/fuzz_*.cpp) with
# clang, ASan and UBSan in build-fuzz/, runs each one for a bounded time over its seed corpus
# (corpus/<harness>/) and regression inputs (regressions/<harness>/), two at a time, and fails
# on any crash, sanitizer report, leak, timeout (-timeout) or out-of-memory (-rss_limit_mb,
# -malloc_limit_mb). Prints libFuzzer's final figures per harness (executions, cov, ft) and the
# command that produced them. A failing input is kept under build-fuzz/fuzz-work/<harness>/ and
# the command to replay it is printed; add it to regressions/<harness>/ once fixed.
#
# usage: tests/fuzz/run-fuzz.sh [SECONDS_PER_HARNESS]   (default 15, or $LVS_FUZZ_SECONDS)
#   LVS_FUZZ_SEED   libFuzzer's -seed (default 1: CI explores the same inputs every run)
#   LVS_FUZZ_ONLY   run only these harnesses (space-separated names)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
seconds=${1:-${LVS_FUZZ_SECONDS:-10}}
seed=${LVS_FUZZ_SEED:-1}
build=build-fuzz
jobs=$(nproc 2>/dev/null || echo 2)

harnesses=(ipv4_parser arp_frame director_config agent_config control_request control_response
  event_script lvsadm_args)
[ -n "${LVS_FUZZ_ONLY:-}" ] && read -r -a harnesses <<<"$LVS_FUZZ_ONLY"

declare -A dict=(
  [director_config]=yaml [agent_config]=yaml [control_request]=control
  [control_response]=control [event_script]=event_script [lvsadm_args]=lvsadm
)

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLVS_FUZZ=ON \
  -DLVS_BUILD_TESTS=OFF -DLVS_BUILD_BENCH=OFF "${launcher[@]}" >/dev/null
cmake --build "$build" -j"$jobs" --target fuzzers

export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=1:allocator_may_return_null=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

# One harness: a scratch corpus (new inputs go there, never into the tree), then the seeds and
# regression inputs, read-only.
run_one() {
  local h=$1 work=$build/fuzz-work/$1
  rm -rf "$work"
  mkdir -p "$work/corpus"
  local cmd=("$build/fuzz/fuzz_$h" -max_total_time="$seconds" -seed="$seed" -timeout=10
    -rss_limit_mb=1024 -malloc_limit_mb=512 -max_len=65536 -print_final_stats=1
    -artifact_prefix="$work/" -close_fd_mask=1)
  [ -n "${dict[$h]:-}" ] && cmd+=(-dict="tests/fuzz/dict/${dict[$h]}.dict")
  cmd+=("$work/corpus" "tests/fuzz/corpus/$h")
  [ -d "tests/fuzz/regressions/$h" ] && cmd+=("tests/fuzz/regressions/$h")
  echo "${cmd[*]}" >"$work/command"
  if "${cmd[@]}" >"$work/log" 2>&1; then echo 0 >"$work/rc"; else echo $? >"$work/rc"; fi
}

start=$(date +%s)
running=0
for h in "${harnesses[@]}"; do
  run_one "$h" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait || true

failed=0
printf '%-17s %10s %6s %6s %7s  %s\n' harness execs cov ft rss_mb result
for h in "${harnesses[@]}"; do
  work=$build/fuzz-work/$h
  rc=$(cat "$work/rc" 2>/dev/null || echo 99)
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE ' "$work/log" | tail -1 || true)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$work/log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$done_line")
  result=ok
  if [ "$rc" != 0 ]; then
    result="FAILED (exit $rc)"
    failed=1
  fi
  printf '%-17s %10s %6s %6s %7s  %s\n' "$h" "${execs:--}" "${cov:--}" "${ft:--}" "${rss:--}" "$result"
done
echo "fuzz: ${seconds}s per harness, seed $seed, $(( $(date +%s) - start ))s in all; commands in $build/fuzz-work/*/command"
if [ "$failed" -ne 0 ]; then
  for h in "${harnesses[@]}"; do
    work=$build/fuzz-work/$h
    [ "$(cat "$work/rc" 2>/dev/null || echo 99)" = 0 ] && continue
    echo "== $h: $(cat "$work/command")"
    grep -E 'ERROR|error message|SUMMARY|Test unit written|==[0-9]+==|deadly signal|out-of-memory|timeout' "$work/log" | head -20
    for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* "$work"/slow-unit-*; do
      [ -e "$a" ] && echo "replay: $build/fuzz/fuzz_$h $a"
    done
  done
  exit 1
fi
