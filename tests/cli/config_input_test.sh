#!/usr/bin/env bash
# Hostile configuration inputs through the real binaries (issue 12, findings 1, 2, 3, 10):
# lvs-director --check, lvs-agent --check and lvsadm simulate (its --config and its --events)
# get a one-character `,` (yaml-cpp 0.7 looped on it at ~330 MB/s), /dev/zero, a FIFO, a symlink
# to /dev/zero, a 17 MiB file, an alias bomb, 100k-deep nesting and big generated files
# (200k real servers, 100k unknown keys), each under a 1 GiB address-space limit and a 30 s
# timeout. Every run must end by itself with exit 1 and one-line errors: not killed by the
# timeout (124), not aborted by an uncaught exception (134), never hanging on the FIFO.
# usage: config_input_test.sh BIN_DIR SOURCE_DIR
set -uo pipefail
bin=$1
src=$(cd "$2" && pwd)
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# AddressSanitizer reserves terabytes of address space for its shadow memory, so the sanitizer
# pass of tests/run.sh runs these binaries under the timeout alone (ASan reports the rest).
if grep -q __asan_init "$bin/lvs-director"; then  # GCC (shared) and clang (static) runtimes alike
  bounded() { timeout -k 5 60 "$@"; }
else
  bounded() { timeout -k 5 30 prlimit --as=$((1 << 30)) -- "$@"; }
fi

# run_case NAME EXPECTED_FIRST_LINE CMD...: exit 1, stderr's first line as expected ('*' matches
# anything; '[', ']' and backslash are literal), and every stderr line a single `WHERE: message` line.
run_case() {
  local name=$1 expected=$2
  shift 2
  local start rc elapsed
  start=$(date +%s%N)
  bounded "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  elapsed=$((($(date +%s%N) - start) / 1000000))
  expect "$name: exits 1 by itself (rc=$rc, ${elapsed} ms; 124 = timeout, 134 = abort)" \
    $([ $rc -eq 1 ]; echo $?)
  local first
  first=$(head -n 1 "$tmp/err")
  local pattern=${expected//\\/\\\\}
  pattern=${pattern//[/\\[}
  pattern=${pattern//]/\\]}
  # shellcheck disable=SC2053
  if [[ "$first" == $pattern ]]; then ok; else
    not_ok "$name: first error line"
    echo "  expected: $expected"
    echo "  actual:   $(head -c 300 "$tmp/err" | cat -A | head -n 3)"
  fi
  # One line per error: every line names where (PATH: or PATH:L:C: or the program).
  local bad
  bad=$(grep -cvE '^([^ :]+(:[0-9]+:[0-9]+)?|lvsadm simulate): ' "$tmp/err")
  expect "$name: every stderr line is 'WHERE: message' ($bad stray lines)" $([ "$bad" -eq 0 ]; echo $?)
}

director() { run_case "lvs-director --check $1" "$2" "$bin/lvs-director" --config "$1" --check; }
agent() { run_case "lvs-agent --check $1" "$2" "$bin/lvs-agent" --config "$1" --check; }
simulate() {
  run_case "lvsadm simulate --config $1" "$2" "$bin/lvsadm" simulate --config "$1" \
    --events "$tmp/events.txt"
}
all_three() { director "$1" "$2"; agent "$1" "$2"; simulate "$1" "$2"; }

printf 'new 10.0.0.1:1000\n' >"$tmp/events.txt"
good=$src/tests/cli/data/three-rr.yaml

# --- finding 1: the one-character memory bomb and its family ----------------------------------
printf ',\n' >"$tmp/comma.yaml"
all_three "$tmp/comma.yaml" "$tmp/comma.yaml:1:1: YAML syntax error: did not find expected node content*"
printf '[:' >"$tmp/flow.yaml"
director "$tmp/flow.yaml" "$tmp/flow.yaml:1:2: YAML syntax error:*"
head -c 100000 /dev/zero | tr '\0' '[' >"$tmp/deep.yaml"
all_three "$tmp/deep.yaml" "$tmp/deep.yaml:1:65: YAML error: nested deeper than 64 levels*"
{
  echo 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]'
  for i in 1 2 3 4 5 6 7 8 9; do
    echo "a$i: &a$i [*a$((i - 1)), *a$((i - 1)), *a$((i - 1)), *a$((i - 1)), *a$((i - 1)), *a$((i - 1)), *a$((i - 1)), *a$((i - 1)), *a$((i - 1)), *a$((i - 1))]"
  done
} >"$tmp/laughs.yaml"
director "$tmp/laughs.yaml" "$tmp/laughs.yaml:*: YAML error: aliases expand this document*"
# The node budget: a flow list of 4M + 1 items (8 MB, under the size cap); the map, its key and
# the list are 3 nodes, so the 3,999,998th item is refused (column 12 + 2 * 3999997).
awk 'BEGIN { printf "services: ["; for (i = 0; i < 4000000; i++) printf "1,"; print "1]" }' \
  >"$tmp/nodes.yaml"
director "$tmp/nodes.yaml" "$tmp/nodes.yaml:1:8000006: YAML error: more than 4000000 nodes*"

# --- finding 2: files that are not files, or too big -------------------------------------------
mkfifo "$tmp/fifo.yaml"
ln -s /dev/zero "$tmp/zero.yaml"
ln -s "$good" "$tmp/link.yaml"
head -c $((17 << 20)) /dev/zero | tr '\0' '#' >"$tmp/big.yaml"
all_three /dev/zero "/dev/zero: not a regular file (a character device)"
all_three "$tmp/fifo.yaml" "$tmp/fifo.yaml: not a regular file (a FIFO)"
all_three "$tmp/zero.yaml" "$tmp/zero.yaml: not a regular file (a character device)"
all_three "$tmp" "$tmp: not a regular file (a directory)"
all_three "$tmp/big.yaml" \
  "$tmp/big.yaml: larger than 16 MiB (16777216 bytes), the limit for a configuration file"
# A symlink to a regular file is fine.
out=$(bounded "$bin/lvs-director" --config "$tmp/link.yaml" --check 2>&1)
expect "a symlink to a regular file is read ($out)" $([[ $out == "$tmp/link.yaml: OK ("* ]]; echo $?)

# lvsadm simulate's events file: the same rules, and standard input read up to the same cap.
for events in /dev/zero "$tmp/fifo.yaml" "$tmp/zero.yaml" "$tmp/big.yaml"; do
  run_case "lvsadm simulate --events $events" "lvsadm simulate: cannot read events file $events: *" \
    "$bin/lvsadm" simulate --config "$good" --events "$events"
done
run_case "lvsadm simulate --events - </dev/zero" \
  "lvsadm simulate: cannot read events file <stdin>: larger than 16 MiB*" \
  bash -c '"$1" simulate --config "$2" --events - </dev/zero' _ "$bin/lvsadm" "$good"

# --- finding 3: big files load in linear time -----------------------------------------------------
# 200k real servers in one service, the last one with a bad weight: the whole file is parsed and
# checked, then rejected (so the run measures the loader, not the daemon's table).
awk 'BEGIN {
  print "services:\n  - tcp-service: 10.200.0.100:80\n    scheduler: wlc\n    real-servers:"
  for (i = 1; i <= 200000; i++)
    printf "      - {real-server: 11.%d.%d.%d, weight: 1}\n", int(i / 65536), int(i / 256) % 256, i % 256
  print "      - {real-server: 12.0.0.1, weight: x}"
}' >"$tmp/rs200k.yaml"
director "$tmp/rs200k.yaml" \
  "$tmp/rs200k.yaml:200005:41: services[0].real-servers[200000].weight: must be an integer*"
awk 'BEGIN {
  print "services:\n  - tcp-service: 10.200.0.100:80"
  for (i = 0; i < 100000; i++) printf "    key%d: 1\n", i
}' >"$tmp/unknown.yaml"
director "$tmp/unknown.yaml" "$tmp/unknown.yaml:3:5: services[0].key0: unknown key 'key0'*"
n=$(grep -c "unknown key" "$tmp/err")
expect "100k unknown keys: 100k one-line errors (got $n)" $([ "$n" -eq 100000 ]; echo $?)

# --- finding 10: a value with a newline stays on its line ----------------------------------------
printf 'services:\n  - tcp-service: 10.200.0.100:80\n    scheduler: "wr\\nr"\n    "sched\\nuler": rr\n' \
  >"$tmp/newline.yaml"
director "$tmp/newline.yaml" "$tmp/newline.yaml:3:16: services[0].scheduler: unknown scheduler 'wr\\nr'*"
lines=$(wc -l <"$tmp/err")
expect "two errors and the summary: three lines (got $lines)" $([ "$lines" -eq 3 ]; echo $?)

finish "config_input"
