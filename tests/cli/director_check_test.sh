#!/usr/bin/env bash
# lvs-director --check and the bundled demo inputs, end to end through the built binaries.
# usage: director_check_test.sh BIN_DIR SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Every bundled director config passes --check and names its size.
for cfg in "$src"/config/examples/*.yaml; do
  case "$cfg" in *agent*) continue ;; esac
  out=$("$bin/lvs-director" --config "$cfg" --check 2>&1)
  rc=$?
  [ $rc -eq 0 ] && [[ "$out" == "$cfg: OK ("*" services, "*" real servers)" ]]
  expect "--check accepts $(basename "$cfg") (rc=$rc: $out)" $?
done

# A broken file: exit 1, every error as FILE:LINE:COL: path: message, then a summary line.
cat >"$tmp/bad.yaml" <<'YAML'
services:
  - tcp-service: 10.200.0.100:80
    scheduler: wrrr
    real-servers:
      - {real-server: 10.200.0.11:8080, weight: 1}
YAML
out=$("$bin/lvs-director" --config "$tmp/bad.yaml" --check 2>&1)
rc=$?
expect "--check rejects a bad file with exit 1 (got $rc)" $([ $rc -eq 1 ]; echo $?)
grep -q "^$tmp/bad.yaml:3:16: services\[0\].scheduler: unknown scheduler 'wrrr'" <<<"$out"
expect "scheduler error names file:line:col and key path: $out" $?
grep -q "^$tmp/bad.yaml:5:23: services\[0\].real-servers\[0\].real-server: port 8080 differs" <<<"$out"
expect "port mismatch error names file:line:col and key path" $?
grep -q "2 error(s), configuration rejected" <<<"$out"
expect "summary line counts the errors" $?

# A missing file, and wrong arguments.
"$bin/lvs-director" --config "$tmp/nope.yaml" --check >/dev/null 2>"$tmp/err"
rc=$?
expect "missing file: exit 1" $([ $rc -eq 1 ]; echo $?)
grep -q "nope.yaml: No such file or directory" "$tmp/err"
expect "missing file: says so" $?
"$bin/lvs-director" --check >/dev/null 2>&1
expect "no --config: exit 2" $([ $? -eq 2 ]; echo $?)
"$bin/lvs-director" --config x --bogus >/dev/null 2>&1
expect "unknown argument: exit 2" $([ $? -eq 2 ]; echo $?)

# The demo's inputs: one decision per `new`, no errors, every scheduler's service present.
out=$("$bin/lvsadm" simulate --config "$src/config/examples/schedulers.yaml" \
      --events "$src/deploy/lab/demo-events.txt" 2>"$tmp/err")
rc=$?
expect "demo simulation exits 0 (rc=$rc)" $([ $rc -eq 0 ]; echo $?)
expect "demo simulation prints nothing on stderr" $([ ! -s "$tmp/err" ]; echo $?)
expect "one line per new event" \
  $([ "$(wc -l <<<"$out")" -eq "$(grep -c '^new' "$src/deploy/lab/demo-events.txt")" ]; echo $?)

finish
