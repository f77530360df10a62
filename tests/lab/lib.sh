# tests/lab/lib.sh: the one harness of the namespace lab. The lab tests (tests/lab/*_test.sh),
# bench/lab-bench.sh and deploy/lab/demo.sh source it; sourcing only defines functions:
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"                 (a lab test)
#   source "$root/tests/lab/lib.sh"                                 (demo.sh, lab-bench.sh)
# Messages name the script that sourced it (agent_test, demo, lab-bench, ...).
#
# What it gives, by section:
#   set-up       lab_init BIN_DIR SOURCE_DIR (prefix, binaries, a private $tmp, traps), lab_up
#   results      ok, not_ok, check, check_expr, expect, finish (totals with the retries)
#   waits        wait_for, log_has, wait_log, lab_running, stop_pid: every wait is a bounded
#                poll for a condition
#   director     director_config, director_start, director_up, director_term, stop_director
#   metrics      lab_scrape, director_scrape, metric, metric_in, wait_metric, has_metric, ...
#   traffic      lab_http_burst, lab_http_get, lab_udp_flows, lab_udp_probe: client requests
#                from the client namespace, each retried when it got no answer at all, every
#                retry counted and reported by finish (lab_retry_summary); lab_retry_if_empty
#                for other probes (arping); tally, count_of, counts, answered
#
# Hooks a script may define:
#   DIRECTOR_STOP_TENTHS  how long stop_director waits after SIGTERM (tenths, default 30)
#   lab_on_fail           called by not_ok after counting the failure
#   lab_failure_report    what finish prints when something failed (default: the director log
#                         in $log)
#   lab_on_exit           called first by the EXIT trap lab_init installs (before the director
#                         is stopped and the lab taken down)
#
# Retry policy: a client request (an HTTP request, a UDP datagram) that got no answer at all is
# sent again up to LAB_RETRIES times (default 2; set LAB_RETRIES=0 for requests whose lack of an
# answer is itself what is checked). Bursts and flows (fixed client ports) retry from the same
# port, so the director sees the same connection or flow again and the scheduler's sequence is
# unchanged; lab_http_get (a kernel-chosen port) is for requests outside such sequences. An
# answer, right or wrong, is never retried. Each retry is logged on stderr and counted; finish
# reports the count.

readonly LAB_VIP=10.200.0.100
readonly LAB_CLIENT=10.200.0.10
readonly LAB_UDP_PORT=9000

lab_test_name() { local n=${BASH_SOURCE[-1]##*/}; echo "${n%.sh}"; }

# --- set-up --------------------------------------------------------------------------------------

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
  [[ -n ${P:-} ]] && return 0
  export LVS_LAB_PREFIX=${LVS_LAB_PREFIX:-lvs-}
  export LVS_LAB_RUN_DIR=${LVS_LAB_RUN_DIR:-/run/${LVS_LAB_PREFIX}lab}
  declare -gr P=$LVS_LAB_PREFIX RUN_DIR=$LVS_LAB_RUN_DIR
}

# lab_director_test BIN_DIR SRC_DIR: the opening of every test that runs the director: root
# (or skip), the client tools, lab_init, and the director binary built.
lab_director_test() {
  lab_require_root
  lab_require_tools curl socat nft ip
  lab_init "$@"
  lab_require_built "$director_bin"
}

# lab_init BIN_DIR SOURCE_DIR: the lab prefix (lab_prefix); bin_dir, src_dir, director_bin,
# lvsadm_bin, agent_bin and lab (deploy/lab/lab.sh); a private temporary directory $tmp with
# $log (the director's log) and $sock (its control socket) in it; the client-port counters and
# the retry log; an EXIT trap (lab_exit) and INT/TERM ending the script through it.
lab_init() {
  local name
  name=$(lab_test_name)
  bin_dir=${1:?usage: $name.sh BIN_DIR SOURCE_DIR}
  src_dir=${2:?usage: $name.sh BIN_DIR SOURCE_DIR}
  lab_prefix
  director_bin=$bin_dir/lvs-director
  lvsadm_bin=$bin_dir/lvsadm
  agent_bin=$bin_dir/lvs-agent
  lab=$src_dir/deploy/lab/lab.sh
  tmp=$(mktemp -d "/tmp/$name.XXXXXX")
  log=$tmp/director.log
  sock=$tmp/director.sock
  LAB_STATE=$tmp/.lab
  mkdir -p "$LAB_STATE"
  echo 10001 >"$LAB_STATE/next-tcp-port"
  echo 50001 >"$LAB_STATE/next-udp-port"
  : >"$LAB_STATE/retries"
  director_pid=""
  trap lab_exit EXIT
  trap 'exit 1' INT TERM HUP
}
# The EXIT trap: the script's lab_on_exit, the director, the lab, $tmp.
lab_exit() {
  if declare -F lab_on_exit >/dev/null; then lab_on_exit; fi
  stop_director
  "$lab" down >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
# lab_up [OPTION...]: the lab from scratch (a director an earlier run left behind would still
# hold the queue): lab.sh down, then up OPTION... (log in $tmp/lab.log). On failure: the log, a
# failed check and finish.
lab_up() {
  "$lab" down >/dev/null 2>&1 || true
  if ! "$lab" up "$@" >"$tmp/lab.log" 2>&1; then
    cat "$tmp/lab.log"
    not_ok "lab.sh up $*"
    finish
  fi
}

# --- results -------------------------------------------------------------------------------------

ok() { echo "ok   $*"; passed=$((${passed:-0} + 1)); }
not_ok() {
  echo "FAIL $*"
  failed=$((${failed:-0} + 1))
  if declare -F lab_on_fail >/dev/null; then lab_on_fail "$@"; fi
}
check() {  # check DESCRIPTION COMMAND...: on failure also names the command
  local what=$1
  shift
  if "$@"; then ok "$what"; else
    not_ok "$what"
    echo "     (command: $*)"
  fi
}
# check_expr DESCRIPTION 'EXPR': EXPR (a string, so it may hold && and ||) is evaluated here.
check_expr() {
  if eval "$2"; then ok "$1"; else not_ok "$1"; fi
}
# expect DESCRIPTION WANT GOT
expect() {
  if [[ "$2" == "$3" ]]; then ok "$1"; else not_ok "$1: expected '$2', got '$3'"; fi
}
# The retries so far: "N retries" and, if any, what for ("(2 curl timed out, 1 UDP unanswered)").
lab_retry_summary() {
  local n=0 what=""
  [[ -n ${LAB_STATE:-} && -f $LAB_STATE/retries ]] && n=$(grep -c . "$LAB_STATE/retries" || true)
  if [[ $n -gt 0 ]]; then
    what=" ($(sort "$LAB_STATE/retries" | uniq -c | awk '{c = $1; $1 = ""; printf "%s%d%s", sep, c, $0; sep = ", "}'))"
  fi
  echo "$n retries$what"
}
# finish: the totals (and the retries), the failure report if anything failed, exit 0 only if
# nothing did.
finish() {
  echo "$(lab_test_name): ${passed:-0} passed, ${failed:-0} failed, $(lab_retry_summary)"
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

# --- processes and waits -------------------------------------------------------------------------

in_ns() { local n=$1; shift; ip netns exec "$P$n" "$@"; }
# wait_for TENTHS COMMAND...: COMMAND every 0.1 s until it succeeds, at most TENTHS times.
wait_for() {
  local n=$1
  shift
  for _ in $(seq "$n"); do "$@" && return 0; sleep 0.1; done
  return 1
}
log_has() { grep -qF -- "$1" "$log"; }
wait_log() { wait_for "${2:-50}" log_has "$1"; }  # wait_log TEXT [TENTHS]
# lab_running PID: the process exists and has not exited (an unreaped child is a zombie, which
# kill -0 would still find).
lab_running() {
  local state
  state=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null)
  [[ -n $state && $state != Z ]]
}
lab_gone() { ! lab_running "$1"; }
# stop_pid PID [SIGNAL] [TENTHS]: SIGNAL (TERM), up to TENTHS tenths of a second (30), KILL.
stop_pid() {
  local pid=$1
  [[ -n $pid ]] || return 0
  if lab_running "$pid"; then
    kill "-${2:-TERM}" "$pid" 2>/dev/null
    wait_for "${3:-30}" lab_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# --- the director --------------------------------------------------------------------------------

# director_config SOURCE DEST [METRICS_PORT]: a copy of SOURCE whose control socket is $sock
# (tests of several labs may run side by side) and, given one, with metrics on
# 127.0.0.1:METRICS_PORT (inside the director's namespace).
director_config() {
  local metrics=()
  [[ -n ${3:-} ]] && metrics=(-e "s|^\( *metrics:\).*|\1 127.0.0.1:$3|")
  sed -e "s|^\( *control-socket:\).*|\1 $sock|" "${metrics[@]}" "$1" >"$2"
}
director_running() { [[ -n ${director_pid:-} ]] && lab_running "$director_pid"; }
director_table_present() { in_ns dir nft list table ip lvs_director >/dev/null 2>&1; }
# director_start CONFIG [LOG]: lvs-director in the director's namespace, in the background,
# appending to LOG ($log), with any further options in the array director_args (e.g.
# --random-seed N); director_pid is the director itself (ip netns exec execs it; not
# through in_ns: a backgrounded shell function is a subshell, and $! would be its pid).
director_args=()
director_start() {
  ip netns exec "${P}dir" "$director_bin" --config "$1" "${director_args[@]}" >>"${2:-$log}" 2>&1 &
  director_pid=$!
}
# director_wait_up [TENTHS]: until its nft table is installed (up to TENTHS, 100); fails if it
# exited or the table is not there by then.
director_wait_up() {
  wait_for "${1:-100}" director_table_present && director_running
}
director_up() { director_start "$@" && director_wait_up; }  # director_up CONFIG [LOG]
# director_term [TENTHS]: SIGTERM, up to TENTHS (100) for it to exit, then SIGKILL; its exit
# status in director_status (137 when it had to be killed).
director_term() {
  local pid=${director_pid:-}
  director_status=0
  [[ -n $pid ]] || return 0
  kill -TERM "$pid" 2>/dev/null
  if ! wait_for "${1:-100}" lab_gone "$pid"; then
    echo "     the director did not exit within $((${1:-100} / 10)) s of SIGTERM: killed"
    kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" || director_status=$?
  director_pid=""
}
stop_director() {
  stop_pid "${director_pid:-}" TERM "${DIRECTOR_STOP_TENTHS:-30}"
  director_pid=""
}
# no_sanitizer_report FILE...: none of the logs holds an ASan/UBSan/LSan report.
no_sanitizer_report() { ! grep -qE 'runtime error|AddressSanitizer|LeakSanitizer' "$@" 2>/dev/null; }

# --- metrics -------------------------------------------------------------------------------------

# lab_scrape NS HOST:PORT FILE: GET /metrics inside namespace NS into FILE (headers in
# FILE.headers); fails unless it answered 200.
lab_scrape() {
  in_ns "$1" curl -s -m 3 -D "$3.headers" -o "$3" "http://$2/metrics" &&
    grep -q '^HTTP/1.[01] 200' "$3.headers"
}
# The director's metrics (127.0.0.1:$metrics_port in its namespace) into $scrape_file.
director_scrape() {
  scrape_file=${scrape_file:-$tmp/scrape.txt}
  lab_scrape dir "127.0.0.1:${metrics_port:-9469}" "$scrape_file"
}
# metric_in FILE NAME [LABELS]: the sample's value (empty and failing if absent).
metric_in() {
  local series=$2
  [[ -n ${3:-} ]] && series="$2{$3}"
  awk -v s="$series" '$1 == s { print $2; found = 1; exit } END { if (!found) exit 1 }' "$1" 2>/dev/null
}
metric() { metric_in "${scrape_file:-$tmp/scrape.txt}" "$@"; }  # from the last director_scrape
metric_now() { director_scrape && metric "$@"; }                # a fresh scrape, then metric
# has_metric TEXT / has_metric_re REGEX / no_metric TEXT: a fresh scrape holds (no) such line.
has_metric() { director_scrape && grep -qF -- "$1" "$scrape_file"; }
has_metric_re() { director_scrape && grep -qE -- "$1" "$scrape_file"; }
no_metric() { director_scrape && [[ -s $scrape_file ]] && ! grep -qF -- "$1" "$scrape_file"; }
# metric_at_least NAME [LABELS] MIN: a fresh scrape has the sample at MIN or more.
metric_at_least() {
  local v min=${*: -1}
  v=$(metric_now "${@:1:$#-1}") && awk -v v="$v" -v m="$min" 'BEGIN {exit !(v >= m)}'
}
metric_is() { [[ "$(metric_now "${@:1:$#-1}")" == "${*: -1}" ]]; }  # metric_is NAME [LABELS] WANT
# wait_metric NAME LABELS WANT [TENTHS]: scrape until the sample equals WANT (metrics are
# published once a second; default up to 5 s).
wait_metric() { wait_for "${4:-50}" metric_is "$1" "$2" "$3"; }

# --- client traffic, with counted retries ----------------------------------------------------------

# lab_next_ports tcp|udp N: the first of N client ports never used before in this run (TCP from
# 10001, UDP from 50001). A port must not come back while the director still holds the
# connection that used it: under direct routing the director never sees the server's FIN, so a
# closed connection sits in FIN_WAIT for the tcpfin timeout (120 s), and a SYN reusing its port
# continues it (as IPVS with conn_reuse_mode 1) on the old server, not where the scheduler would
# send it. The kernel's own ephemeral ports would be reused within seconds here.
lab_next_ports() {
  local f=$LAB_STATE/next-$1-port first
  first=$(cat "$f")
  echo $((first + $2)) >"$f"
  echo "$first"
}
lab_note_retry() {  # lab_note_retry KIND WHAT: counted in the retry log, said on stderr
  echo "$1" >>"$LAB_STATE/retries"
  echo "     retry: $2 got no answer ($1); sending it again" >&2
}
lab_curl_kind() {
  case $1 in 28) echo "curl timed out" ;; 7) echo "curl could not connect" ;; *) echo "curl exit $1" ;; esac
}
# Reads curl output whose every transfer ends in the write-out "\n@@ CODE EXIT\n"; prints one
# line per transfer: BODY<TAB>CODE<TAB>EXIT (BODY "-" when there was none, lines joined by " ").
lab_curl_results() {
  awk '/^@@ / { print (body == "" ? "-" : body) "\t" $2 "\t" $3; body = ""; next }
       NF { body = (body == "" ? $0 : body " " $0) }'
}
readonly LAB_CURL_WRITEOUT='\n@@ %{http_code} %{exitcode}\n'
readonly LAB_NO_ANSWER=$'-\t000\t0'  # a lab_curl_results line for a transfer that printed nothing

# lab_http_burst N [SOURCE [VIP [PATH]]]: N sequential new HTTP connections from the client
# namespace to VIP:80/PATH (default LAB_VIP, /) from SOURCE (default the client's own address),
# on client ports from lab_next_ports; prints one line per request: the body ("rs1") or "none".
# One curl process, one transfer per connection ("Connection: close": nginx closes after each
# response and curl closes its side before it connects again, so each connection is inactive
# (FIN_WAIT) for the director before the next SYN, as simulate's `fin`). A request with no
# answer at all (HTTP code 000) is retried from the same port.
lab_http_burst() {
  local n=$1 src=${2:-} vip=${3:-$LAB_VIP} path=${4:-} first i cfg results
  [[ $n -gt 0 ]] || return 0
  first=$(lab_next_ports tcp "$n")
  cfg=$LAB_STATE/burst.curl
  for ((i = 0; i < n; i++)); do
    [[ $i -gt 0 ]] && echo next
    printf 'url = "http://%s/%s"\nlocal-port = %d\n' "$vip" "$path" $((first + i))
    [[ -n $src ]] && printf 'interface = %s\n' "$src"
    printf 'header = "Connection: close"\nconnect-timeout = 2\nmax-time = 3\nsilent\n'
    printf 'write-out = "%s"\n' "$LAB_CURL_WRITEOUT"
  done >"$cfg"
  mapfile -t results < <(in_ns client curl -K "$cfg" 2>/dev/null | lab_curl_results)
  for ((i = 0; i < n; i++)); do
    lab_http_line "${results[$i]:-}" $((first + i)) "http://$vip/$path" "$src"
  done
}
# lab_http_line RESULT PORT URL SOURCE: RESULT's body, or "none"; RESULT with no answer is
# retried (from PORT) up to LAB_RETRIES times.
lab_http_line() {
  local result=$1 port=$2 url=$3 src=$4 body code exitcode try iface=()
  [[ -n $src ]] && iface=(--interface "$src")
  IFS=$'\t' read -r body code exitcode <<<"${result:-$LAB_NO_ANSWER}"
  for ((try = 1; try <= ${LAB_RETRIES:-2}; try++)); do
    [[ $code == 000 ]] || break
    lab_note_retry "$(lab_curl_kind "$exitcode")" "GET $url from port $port"
    result=$(in_ns client curl -s --local-port "$port" "${iface[@]}" -H 'Connection: close' \
      --connect-timeout 3 -m 5 -w "$LAB_CURL_WRITEOUT" "$url" 2>/dev/null | lab_curl_results) || true
    IFS=$'\t' read -r body code exitcode <<<"${result:-$LAB_NO_ANSWER}"
  done
  [[ $body == - ]] && body=none
  echo "$body"
}
# lab_http_get URL [CURL_OPTION...]: one GET from the client namespace (kernel-chosen port);
# prints what curl prints (the body, or with -o FILE and -w FORMAT the write-out), plus a newline
# if that did not end in one; fails if it never got an HTTP answer. A request with no answer at
# all (HTTP code 000) is retried. CURL_OPTIONs are passed on (-m replaces the 5 s default).
lab_http_get() {
  local url=$1 fmt="" args=() out code rc try
  shift
  while [[ $# -gt 0 ]]; do
    if [[ $1 == -w ]]; then fmt=$2; shift 2; else args+=("$1"); shift; fi
  done
  for ((try = 0; ; try++)); do
    # The HTTP code and exit code go to stderr (-s keeps curl's own messages off it).
    out=$(in_ns client curl -s --connect-timeout 3 -m 5 "${args[@]}" \
      -w "%{stderr}%{http_code} %{exitcode}\n%{stdout}$fmt" "$url" 2>"$LAB_STATE/curl.status") || true
    read -r code rc <"$LAB_STATE/curl.status" || code=000 rc=0
    [[ $code == 000 && $try -lt ${LAB_RETRIES:-2} ]] || break
    lab_note_retry "$(lab_curl_kind "$rc")" "GET $url"
  done
  printf '%s' "$out"
  [[ -n $out && $out != *$'\n' ]] && echo
  [[ $code != 000 ]]
}

# lab_udp_probe DEST PORT: one datagram "ping" from the client's UDP port PORT to DEST:9000,
# through a socket connected to DEST (an answer from any other address is discarded); prints
# the answer ("rs1") or "none". No answer: sent again from the same port (the same flow for the
# director), waiting longer each time, up to LAB_RETRIES times.
lab_udp_probe() {
  local dst=$1 port=$2 out try waits=(0.5 1 2)
  for ((try = 0; ; try++)); do
    out=$(echo ping | in_ns client socat -T2 -t "${waits[$try]:-2}" - \
      "UDP4:$dst:$LAB_UDP_PORT,sourceport=$port,reuseaddr" 2>/dev/null | head -n 1) || true
    [[ -n $out || $try -ge ${LAB_RETRIES:-2} ]] && break
    lab_note_retry "UDP unanswered" "UDP to $dst:$LAB_UDP_PORT from port $port"
  done
  echo "${out:-none}"
}
# lab_udp_flows N [DEST]: N new UDP flows (one datagram each, client ports from lab_next_ports)
# to DEST:9000 (default the VIP); one answer line per flow.
lab_udp_flows() {
  local n=$1 dst=${2:-$LAB_VIP} first i
  [[ $n -gt 0 ]] || return 0
  first=$(lab_next_ports udp "$n")
  for ((i = 0; i < n; i++)); do lab_udp_probe "$dst" $((first + i)); done
}

# lab_retry_if_empty KIND WHAT COMMAND...: COMMAND's output; when it printed nothing (no answer
# at all), COMMAND again, up to LAB_RETRIES times, each counted as a retry of KIND. For requests
# whose answers are a set (arping's responders), where an empty set is never the expected one.
lab_retry_if_empty() {
  local kind=$1 what=$2 out try
  shift 2
  for ((try = 0; ; try++)); do
    out=$("$@") || true
    [[ -n $out || $try -ge ${LAB_RETRIES:-2} ]] && break
    lab_note_retry "$kind" "$what"
  done
  [[ -z $out ]] || echo "$out"
}

# --- tallies ---------------------------------------------------------------------------------------

tally() { sort | uniq -c | awk '{printf "%s=%s ", $2, $1}'; }  # lines -> "rs1=3 rs2=2 "
count_of() { grep -cx -- "$1" <<<"$2" || true; }                 # count_of LINE TEXT
counts() { echo "$(count_of rs1 "$1")/$(count_of rs2 "$1")/$(count_of rs3 "$1")"; }  # rs1/rs2/rs3
answered() { grep -cE '^rs[123]$' <<<"$1" || true; }             # lines that name a real server
