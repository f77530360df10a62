# tests/lab/lib.sh: the harness the lab tests (tests/lab/*_test.sh) share. Sourced, never run:
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# Sourcing only defines functions. lab_prefix reads LVS_LAB_PREFIX into P when called. Messages
# name the test after the script that sourced this file (agent_test, arp_test, ...).
#
# Hooks a test may define:
#   DIRECTOR_STOP_TENTHS  how long stop_director waits after SIGTERM (tenths, default 30)
#   lab_on_fail           called by not_ok after counting the failure
#   lab_failure_report    what finish prints when something failed (default: the director log
#                         in $log)

lab_test_name() { local n=${BASH_SOURCE[-1]##*/}; echo "${n%.sh}"; }

# lab_require_root [WHAT]: exit 77 (skipped) when not root, 1 instead when CI=true.
lab_require_root() {
  [[ $(id -u) -ne 0 ]] || return 0
  local name
  name=$(lab_test_name)
  if [[ "${CI:-}" == "true" ]]; then
    echo "$name: needs root (${1:-network namespaces}) and CI=true: failing" >&2
    exit 1
  fi
  echo "$name: needs root; skipped" >&2
  exit 77
}
# lab_require_tools TOOL...: exit 1 naming the first one missing.
lab_require_tools() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null ||
      { echo "$(lab_test_name): $tool missing (deploy/install-deps.sh)" >&2; exit 1; }
  done
}
# lab_require_built BINARY...: exit 1 naming the first one not built.
lab_require_built() {
  local b
  for b in "$@"; do
    [[ -x $b ]] || { echo "$(lab_test_name): $b not built" >&2; exit 1; }
  done
}
# lab_prefix: LVS_LAB_PREFIX (default lvs-) into the read-only P, and the lab's state directory
# (LVS_LAB_RUN_DIR, default /run/<prefix>lab as lab.sh derives it) into the read-only RUN_DIR;
# both exported, so lab.sh and the tests agree on them.
lab_prefix() {
  export LVS_LAB_PREFIX=${LVS_LAB_PREFIX:-lvs-}
  export LVS_LAB_RUN_DIR=${LVS_LAB_RUN_DIR:-/run/${LVS_LAB_PREFIX}lab}
  declare -gr P=$LVS_LAB_PREFIX RUN_DIR=$LVS_LAB_RUN_DIR
}

# stop_pid PID [SIGNAL] [TENTHS]: SIGNAL (TERM), up to TENTHS tenths of a second (30), KILL.
stop_pid() {
  local pid=$1
  [[ -n $pid ]] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill "-${2:-TERM}" "$pid" 2>/dev/null
    for _ in $(seq "${3:-30}"); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}
stop_director() {
  stop_pid "${director_pid:-}" TERM "${DIRECTOR_STOP_TENTHS:-30}"
  director_pid=""
}

ok() { echo "ok   $*"; passed=$((${passed:-0} + 1)); }
not_ok() {
  echo "FAIL $*"
  failed=$((${failed:-0} + 1))
  if declare -F lab_on_fail >/dev/null; then lab_on_fail "$@"; fi
}
check() {  # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then ok "$what"; else not_ok "$what"; fi
}
# check_expr DESCRIPTION 'EXPR': EXPR (a string, so it may hold && and ||) is evaluated here.
check_expr() {
  if eval "$2"; then ok "$1"; else not_ok "$1"; fi
}
# finish: the totals, the failure report if anything failed, exit 0 only if nothing did.
finish() {
  echo "$(lab_test_name): ${passed:-0} passed, ${failed:-0} failed"
  if [[ ${failed:-0} -ne 0 ]]; then
    if declare -F lab_failure_report >/dev/null; then
      lab_failure_report
    else
      echo "--- director log ---"
      cat "${log:-}" 2>/dev/null
    fi
  fi
  [[ ${failed:-0} -eq 0 ]]
  exit $?
}

in_ns() { local n=$1; shift; ip netns exec "$P$n" "$@"; }
wait_for() {  # wait_for TENTHS COMMAND...
  local n=$1
  shift
  for _ in $(seq "$n"); do "$@" && return 0; sleep 0.1; done
  return 1
}
log_has() { grep -qF -- "$1" "$log"; }
wait_log() { wait_for 50 log_has "$1"; }
