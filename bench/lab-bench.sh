#!/usr/bin/env bash
# The lab benchmark (DESIGN.md §6; method and how to read it: "Lab benchmark" in bench/README.md).
# In one invocation, the same workloads through four paths in the namespace lab:
#
#   (a) director  build/bin/lvs-director in lvs-dir, a copy of config/examples/lab.yaml with
#                 scheduler rr and weights 1:1:1 on both services (the split the other paths make)
#   (b) nft fwd   an in-kernel netdev-ingress DSR rule on lvs-dir's eth0: rewrite the MACs
#                 (jhash of source address . port mod 3 picks rs1-3) and `fwd` back out of eth0
#   (c) haproxy   HAProxy in TCP mode in lvs-dir on VIP:80, roundrobin over rs1-3:80 (full proxy:
#                 the real servers answer the director); no UDP
#   (d) direct    the client straight to rs1 (10.200.0.11), no balancer at all
#
# Workloads (all generated in lvs-client; nothing in the root namespace sends):
#   udp-flat    64-byte frames (60 + FCS) to VIP:9000 from --src-ports source ports, flat out
#               (bench/udp_flood, AF_PACKET sendmmsg); forwarded pps and loss counted by an
#               nft counter at each real server's eth0 ingress (which drops them there)
#   udp-paced   the same at a fixed rate (--udp-rate, default half the weakest path's flat-out
#               figure), for the loss figure
#   keepalive   wrk -t1 -c N, HTTP/1.1 keep-alive, GET / (a 4-byte body)
#   close       the same with `Connection: close`: one new TCP connection per request
#   bodies      wrk -t1 -c M, keep-alive, GET /1m (1 MiB bodies): GB/s of response bytes
#
# The paths run back to back for each workload (a, b, c, d, then the next workload), so each
# ratio compares figures taken seconds apart. Prints the load average at start and end, a line
# per run (with the balancer's CPU use for (a) and (c)), then the table with director/(b),
# director/(c) and the targets, met or missed.
#
#   bash bench/lab-bench.sh [--duration S] [--quick] [--build-dir DIR] [--connections N]
#        [--body-connections M] [--src-ports P] [--udp-rate PPS] [--only LIST]
#        [--perf DIR] [--results FILE]
#
#   --duration S         seconds per measured run (default 10: about 3.5 minutes in all)
#   --quick              smoke run: 1 second per run
#   --build-dir DIR      where bin/lvs-director and bench/udp_flood are (default: build)
#   --connections N      wrk connections for keepalive and close (default 32)
#   --body-connections M wrk connections for bodies (default 8)
#   --src-ports P        distinct UDP source ports in the flood (default 1024)
#   --udp-rate PPS       rate of the paced UDP run (default: half the weakest flat-out figure;
#                        0 skips the paced run)
#   --only LIST          comma-separated subset of workloads (udp,keepalive,close,bodies)
#   --perf DIR           also `perf record -g -e cpu-clock` the director during each of its runs
#                        into DIR/director-<workload>.data and print its top symbols (perturbs
#                        the director's figures: profile in a separate invocation)
#   --results FILE       also write the raw figures as TSV (workload, path, metric, value)
#
# Environment: LVS_LAB_PREFIX (default lvs-) runs it on a private copy of the lab (the state
# directory follows the prefix; LVS_LAB_RUN_DIR overrides it); LVS_BENCH_METRICS_PORT (default
# 9469) is the director's metrics port inside lvs-dir.
# Needs root, wrk, haproxy, nft, nginx, socat (deploy/install-deps.sh). Everything it starts is
# stopped and the lab is taken down on any exit.
set -uo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_DIR=$(cd "$SCRIPT_DIR/.." && pwd)
readonly SCRIPT_DIR SRC_DIR
# The lab harness the lab tests use: the prefix and state directory, the director, bounded
# waits, stopping processes.
source "$SRC_DIR/tests/lab/lib.sh"

die() {
  echo "lab-bench: error: $*" >&2
  exit 1
}
note() { echo "lab-bench: $*" >&2; }

# --- options -----------------------------------------------------------------------------------
duration=10
build_dir=$SRC_DIR/build
connections=32
body_connections=8
src_ports=1024
udp_rate=auto
only=udp,keepalive,close,bodies
perf_dir=""
results_file=""
number() { [[ $2 =~ ^[0-9]+$ ]] && [ "$2" -ge "$3" ] || die "$1: '$2' is not a whole number >= $3"; }
while [ $# -gt 0 ]; do
  case $1 in
  --quick) duration=1 ;;
  --duration) number "$1" "${2:-}" 1; duration=$2; shift ;;
  --build-dir) build_dir=$(cd "${2:?--build-dir needs a directory}" && pwd) || exit 1; shift ;;
  --connections) number "$1" "${2:-}" 1; connections=$2; shift ;;
  --body-connections) number "$1" "${2:-}" 1; body_connections=$2; shift ;;
  --src-ports) number "$1" "${2:-}" 1; src_ports=$2; shift ;;
  --udp-rate) number "$1" "${2:-}" 0; udp_rate=$2; shift ;;
  --only) only=${2:?--only needs a list}; shift ;;
  --perf) perf_dir=${2:?--perf needs a directory}; shift ;;
  --results) results_file=${2:?--results needs a file}; shift ;;
  -h | --help) sed -n '2,/^set -uo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
  *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done
for w in ${only//,/ }; do
  [[ $w =~ ^(udp|keepalive|close|bodies)$ ]] || die "--only: unknown workload '$w'"
done
wants() { [[ ,$only, == *",$1,"* ]]; }

[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces); run: sudo bash $0"
for tool in ip nft bridge wrk haproxy nginx socat curl awk; do
  command -v "$tool" >/dev/null || die "$tool missing (sudo deploy/install-deps.sh)"
done
[ -z "$perf_dir" ] || command -v perf >/dev/null || die "--perf: perf missing (apt-get install linux-perf)"
readonly DIRECTOR_BIN=$build_dir/bin/lvs-director FLOOD_BIN=$build_dir/bench/udp_flood
[ -x "$DIRECTOR_BIN" ] && [ -x "$FLOOD_BIN" ] ||
  die "build first: cmake -S $SRC_DIR -B $build_dir -DCMAKE_BUILD_TYPE=Release -DLVS_BUILD_BENCH=ON && cmake --build $build_dir --target lvs-director udp_flood"

lab_init "$build_dir/bin" "$SRC_DIR"  # P, $lab, $tmp, $log, $sock; EXIT trap: lab_exit
readonly METRICS_PORT=${LVS_BENCH_METRICS_PORT:-9469}
readonly VIP=10.200.0.100 RS1=10.200.0.11 UDP_PORT=9000
readonly MAC_DIR=02:00:00:00:00:02 MAC_RS1=02:00:00:00:00:0b MAC_RS2=02:00:00:00:00:0c
readonly MAC_RS3=02:00:00:00:00:0d
readonly -a REAL_SERVERS=(rs1 rs2 rs3)
readonly FWD_TABLE=lab_bench_fwd SINK_TABLE=lab_bench_sink
readonly PATHS=(a b c d)
declare -rA PATH_NAME=([a]=director [b]="nft fwd" [c]=haproxy [d]=direct)

haproxy_pid="" perf_pid=""

# --- clean-up (lab_init's EXIT trap calls this, then stops the director and takes the lab down) --
lab_on_exit() {
  stop_pid "$perf_pid"
  stop_pid "$haproxy_pid"
  ip netns exec "${P}dir" nft delete table netdev "$FWD_TABLE" 2>/dev/null || true
  for r in "${REAL_SERVERS[@]}"; do
    ip netns exec "$P$r" nft delete table netdev "$SINK_TABLE" 2>/dev/null || true
  done
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
# calc FORMAT EXPR: EXPR in parentheses, else awk would read a `>` in it as a redirection.
calc() { awk "BEGIN { printf \"$1\", ($2) }"; }

# --- lab ---------------------------------------------------------------------------------------
echo "lab-bench: $(date -u '+%Y-%m-%d %H:%M:%SZ'), $(nproc) CPUs, kernel $(uname -r), lab prefix $P"
echo "lab-bench: load average at start: $(loadavg)"
echo "lab-bench: $duration s per run; wrk -t1 -c$connections (keepalive, close), -c$body_connections (bodies); UDP from $src_ports source ports"
"$lab" down >/dev/null 2>&1 || true
"$lab" up >"$tmp/lab.log" 2>&1 || { cat "$tmp/lab.log" >&2; die "lab.sh up failed"; }

# The bridge learns a real server's MAC only from frames it sends, and under a UDP flood the
# real servers send nothing: an unlearnt destination would be flooded to every port (client
# and director included). Static entries make every run forward the same way.
declare -rA HOST_MAC=([client]=02:00:00:00:00:0a [dir]=$MAC_DIR [rs1]=$MAC_RS1 [rs2]=$MAC_RS2
  [rs3]=$MAC_RS3)
for h in "${!HOST_MAC[@]}"; do
  in_ns sw bridge fdb replace "${HOST_MAC[$h]}" dev "to-$h" master static ||
    die "cannot add a static bridge entry for $h"
done
# New-connection runs open tens of thousands of connections: the whole port range, and reuse of
# the client-side TIME_WAIT ports HAProxy leaves towards the real servers.
for h in client dir; do
  in_ns "$h" sysctl -q -w net.ipv4.ip_local_port_range="1024 65535" net.ipv4.tcp_tw_reuse=1
done

# The UDP sink: every real server counts and drops the flood at its eth0 ingress, before IP
# (the lab's UDP service on :9000 would answer every datagram: return traffic this benchmark does
# not measure, and beyond what it can take the surplus would be dropped at its socket).
for r in "${REAL_SERVERS[@]}"; do
  in_ns "$r" nft -f - <<NFT || die "cannot install the UDP sink counter in $P$r"
table netdev $SINK_TABLE {
  counter flood {}
  chain ingress {
    type filter hook ingress device "eth0" priority 0; policy accept;
    udp dport $UDP_PORT counter name "flood" drop
  }
}
NFT
done
sink_packets() {  # total flood packets counted at rs1-3
  local r total=0 n
  for r in "${REAL_SERVERS[@]}"; do
    n=$(in_ns "$r" nft list counter netdev "$SINK_TABLE" flood | awk '/packets/ {print $2}')
    total=$((total + ${n:-0}))
  done
  echo "$total"
}
# Packets the director's NFQUEUE dropped (queue full + failed to deliver to us), from
# /proc/net/netfilter/nfnetlink_queue: columns 6 (queue_dropped) and 7 (user_dropped).
sink_settled() {  # the sinks counted nothing since the last call
  local now
  now=$(sink_packets)
  [ "$now" = "$last_sink" ] && return 0
  last_sink=$now
  return 1
}
queue_drops() { in_ns dir awk '{s += $6 + $7} END {print s + 0}' /proc/net/netfilter/nfnetlink_queue 2>/dev/null || echo 0; }

# --- the four paths ----------------------------------------------------------------------------
# (a): scheduler rr on both services and equal weights, so the director splits the load 1:1:1
# as the nft hash and HAProxy's roundrobin do (lab.yaml's wlc/wrr 3:2:1 would send half of it
# to rs1). Everything else as lab.yaml, with a private control socket and metrics port.
director_config "$SRC_DIR/config/examples/lab.yaml" "$tmp/lab.yaml" "$METRICS_PORT"
sed -e 's/scheduler: [a-z]*/scheduler: rr/' -e 's/weight: [0-9]*/weight: 1/' "$tmp/lab.yaml" \
  >"$tmp/director.yaml"

# (b): the kernel doing the director's job in one rule per service. Same 5-tuple hash for UDP
# and TCP, so a connection always goes to the same server; `fwd to` from ingress transmits on
# the device directly (no routing, no qdisc), like the director's AF_PACKET qdisc bypass.
readonly RS_MAP="{ 0 : $MAC_RS1, 1 : $MAC_RS2, 2 : $MAC_RS3 }"
cat >"$tmp/fwd.nft" <<NFT
table netdev $FWD_TABLE {
  chain ingress {
    type filter hook ingress device "eth0" priority 0; policy accept;
    ip daddr $VIP udp dport $UDP_PORT ether saddr set $MAC_DIR ether daddr set jhash ip saddr . udp sport mod 3 map $RS_MAP fwd to "eth0"
    ip daddr $VIP tcp dport 80 ether saddr set $MAC_DIR ether daddr set jhash ip saddr . tcp sport mod 3 map $RS_MAP fwd to "eth0"
  }
}
NFT

# (c): the default thread count (one per CPU); no health checks, as (a) and (b) have none.
cat >"$tmp/haproxy.cfg" <<CFG
global
  # Within the sandbox's open-file limit (HAProxy needs ~2 descriptors per connection).
  maxconn 8000
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend bench
  bind $VIP:80
  default_backend real_servers
backend real_servers
  balance roundrobin
  server rs1 10.200.0.11:80
  server rs2 10.200.0.12:80
  server rs3 10.200.0.13:80
CFG

http_target() { if [ "$1" = d ]; then echo "$RS1"; else echo "$VIP"; fi; }
http_ok() { [ "$(in_ns client curl -s -m 2 -o /dev/null -w '%{http_code}' "http://$(http_target "$1")/")" = 200 ]; }
haproxy_listening() { in_ns dir ss -Htln "sport = :80" | grep -q "$VIP:80"; }

start_path() {
  case $1 in
  a)
    director_start "$tmp/director.yaml"  # appends to $log
    director_wait_up || { cat "$log" >&2; die "the director did not install its table"; }
    ;;
  b) in_ns dir nft -f "$tmp/fwd.nft" || die "the nft fwd ruleset was refused (nft -f $tmp/fwd.nft)" ;;
  c)
    ip netns exec "${P}dir" haproxy -db -f "$tmp/haproxy.cfg" >>"$tmp/haproxy.log" 2>&1 &
    haproxy_pid=$!
    wait_for 50 haproxy_listening || { cat "$tmp/haproxy.log" >&2; die "haproxy is not listening on $VIP:80"; }
    ;;
  d) ;;
  esac
  wait_for 30 http_ok "$1" || die "path ($1) ${PATH_NAME[$1]}: no HTTP answer from $(http_target "$1")"
}
stop_path() {
  case $1 in
  a)
    director_running || { cat "$log" >&2; die "the director died during the run"; }
    stop_director
    ;;
  b) in_ns dir nft delete table netdev "$FWD_TABLE" ;;
  c)
    lab_running "$haproxy_pid" || { cat "$tmp/haproxy.log" >&2; die "haproxy died during the run"; }
    stop_pid "$haproxy_pid"
    haproxy_pid=""
    ;;
  d) ;;
  esac
}

# CPU time (user + system, all threads) of the balancer process of path P, in clock ticks; empty
# for the paths without one. Fields 14 and 15 of /proc/PID/stat (the names have no spaces).
CLK_TCK=$(getconf CLK_TCK)
readonly CLK_TCK
balancer_ticks() {
  local pid=""
  case $1 in a) pid=$director_pid ;; c) pid=$haproxy_pid ;; esac
  [ -n "$pid" ] && awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || true
}
cpu_note() {  # cpu_note TICKS_BEFORE TICKS_AFTER SECONDS -> "  (director 97% CPU)"
  [ -n "$1" ] && [ -n "$2" ] || return 0
  printf '  (%s %.0f%% CPU)' "$4" "$(calc %.1f "100 * ($2 - $1) / $CLK_TCK / $3")"
}

# Profiles the director for the next $duration seconds if --perf was given.
perf_start() {
  [ -n "$perf_dir" ] && [ "$1" = a ] || return 0
  mkdir -p "$perf_dir"
  perf record -q -g -e cpu-clock -p "$director_pid" -o "$perf_dir/director-$2.data" \
    -- sleep "$duration" >/dev/null 2>&1 &
  perf_pid=$!
}
perf_finish() {
  [ -n "$perf_pid" ] || return 0
  wait "$perf_pid" 2>/dev/null
  perf_pid=""
  echo "    perf, director during $1 (top symbols, self time; $perf_dir/director-$1.data):"
  perf report -i "$perf_dir/director-$1.data" --stdio --no-children -g none \
    --sort dso,symbol --percent-limit 1.5 2>/dev/null | grep -E '^ +[0-9.]+%' | head -20 |
    sed 's/^/    /'
}

# --- results ----------------------------------------------------------------------------------
declare -A R=()  # R[workload.path.metric]
record() {  # record WORKLOAD PATH METRIC VALUE
  R[$1.$2.$3]=$4
  [ -z "$results_file" ] || printf '%s\t%s\t%s\t%s\n' "$1" "${PATH_NAME[$2]}" "$3" "$4" >>"$tmp/results.tsv"
}

# udp_run WORKLOAD PATH RATE: one flood through PATH; records pps (forwarded) and loss (%).
udp_run() {
  local wl=$1 p=$2 rate=$3 dst_ip=$VIP dst_mac=$MAC_DIR before q_before out sent failed secs got drops t0 t1
  [ "$p" = d ] && dst_ip=$RS1 dst_mac=$MAC_RS1
  before=$(sink_packets)
  q_before=$(queue_drops)
  t0=$(balancer_ticks "$p")
  perf_start "$p" "$wl"
  out=$(in_ns client "$FLOOD_BIN" --interface eth0 --dst-mac "$dst_mac" --dst-ip "$dst_ip" \
    --dst-port "$UDP_PORT" --src-ports "$src_ports" --duration "$duration" --rate "$rate") ||
    die "udp_flood failed: $out"
  t1=$(balancer_ticks "$p")
  perf_finish "$wl"
  # Whatever is still queued (the director's NFQUEUE) arrives or is dropped: until the sinks'
  # count stops growing (up to 2 s).
  last_sink=-1
  wait_for 20 sink_settled
  got=$(($(sink_packets) - before))
  drops=$(($(queue_drops) - q_before))
  sent=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' <<<"$out")
  failed=$(sed -n 's/.*failed=\([0-9]*\).*/\1/p' <<<"$out")
  secs=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$out")
  record "$wl" "$p" pps "$(calc %.0f "$got / $secs")"
  record "$wl" "$p" sent_pps "$(calc %.0f "$sent / $secs")"
  record "$wl" "$p" loss "$(calc %.4f "$sent > 0 ? 100 * ($sent - $got) / $sent : 100")"
  printf '  %-9s (%s) %-8s sent %9d (%7.1f kpps, %d refused)  received %9d (%7.1f kpps)  loss %.3f%%%s\n' \
    "$wl" "$p" "${PATH_NAME[$p]}" "$sent" "$(calc %.1f "$sent / $secs / 1000")" "$failed" \
    "$got" "$(calc %.1f "$got / $secs / 1000")" "${R[$wl.$p.loss]}" \
    "$([ "$p" = a ] && echo "  (NFQUEUE drops $drops)")$(cpu_note "$t0" "$t1" "$secs" "${PATH_NAME[$p]}")"
}

# http_run WORKLOAD PATH: one wrk run; records rps (requests/s) and gbps (response GB/s).
http_run() {
  local wl=$1 p=$2 c=$connections url header=() out req bytes us errors t0 t1
  url=http://$(http_target "$p")/
  case $wl in
  close) header=(-H 'Connection: close') ;;
  bodies) c=$body_connections url+=1m ;;
  esac
  t0=$(balancer_ticks "$p")
  perf_start "$p" "$wl"
  out=$(in_ns client wrk -t1 -c"$c" -d"${duration}s" "${header[@]}" -s "$tmp/summary.lua" "$url" 2>&1) ||
    die "wrk failed: $out"
  t1=$(balancer_ticks "$p")
  perf_finish "$wl"
  read -r req bytes us errors < <(sed -n 's/^WRK requests=\([0-9]*\) bytes=\([0-9]*\) duration_us=\([0-9]*\) errors=\([0-9]*\).*/\1 \2 \3 \4/p' <<<"$out")
  [ -n "${us:-}" ] || die "no summary from wrk: $out"
  record "$wl" "$p" rps "$(calc %.0f "$req * 1e6 / $us")"
  record "$wl" "$p" gbps "$(calc %.4f "$bytes / $us / 1e3")"
  printf '  %-9s (%s) %-8s %9d requests  %8.0f req/s  %7.3f GB/s%s\n' "$wl" "$p" "${PATH_NAME[$p]}" \
    "$req" "${R[$wl.$p.rps]}" "${R[$wl.$p.gbps]}" \
    "$([ "$errors" -gt 0 ] && echo "  ($errors socket/status errors)")$(cpu_note "$t0" "$t1" "$(calc %.3f "$us / 1e6")" "${PATH_NAME[$p]}")"
}
cat >"$tmp/summary.lua" <<'LUA'
-- One machine-readable line with exact totals (wrk's own summary rounds and scales units).
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK requests=%d bytes=%d duration_us=%d errors=%d\n", summary.requests,
    summary.bytes, summary.duration, e.connect + e.read + e.write + e.status + e.timeout))
end
LUA

# --- runs -------------------------------------------------------------------------------------
udp_paths=(a b d)  # HAProxy has no UDP
if wants udp; then
  for p in "${udp_paths[@]}"; do start_path "$p"; udp_run udp-flat "$p" 0; stop_path "$p"; done
  if [ "$udp_rate" = auto ]; then
    weakest=$(for p in "${udp_paths[@]}"; do echo "${R[udp-flat.$p.pps]}"; done | sort -n | head -n1)
    udp_rate=$(((weakest / 2) / 1000 * 1000))
    [ "$udp_rate" -ge 1000 ] || udp_rate=1000
  fi
  if [ "$udp_rate" -gt 0 ]; then
    note "paced UDP at $udp_rate pps"
    for p in "${udp_paths[@]}"; do start_path "$p"; udp_run udp-paced "$p" "$udp_rate"; stop_path "$p"; done
  fi
fi
for wl in keepalive close bodies; do
  wants "$wl" || continue
  for p in "${PATHS[@]}"; do start_path "$p"; http_run "$wl" "$p"; stop_path "$p"; done
done
if grep -qE 'neighbour_unresolved|send_' "$log" 2>/dev/null; then
  note "the director reported drops or send errors:"
  grep -E 'neighbour_unresolved|send_' "$log" >&2
fi

# --- table ------------------------------------------------------------------------------------
echo "lab-bench: load average at end: $(loadavg)"
[ -z "$results_file" ] || cp "$tmp/results.tsv" "$results_file" 2>/dev/null || true
val() { echo "${R[$1]:-}"; }
ratio() {  # ratio NUM DEN -> x.xx or n/a
  if [ -n "$1" ] && [ -n "$2" ] && awk "BEGIN { exit !($2 > 0) }"; then calc %.2f "$1 / $2"; else echo n/a; fi
}
fmt() {  # fmt FORMAT VALUE -> formatted or n/a
  if [ -n "$2" ]; then calc "$1" "$2"; else echo n/a; fi
}
verdict() {  # verdict VALUE OP LIMIT -> met / missed / n/a
  if [ -z "$1" ] || [ "$1" = n/a ]; then echo n/a; elif awk "BEGIN { exit !($1 $2 $3) }"; then echo met; else echo MISSED; fi
}
row() {  # row LABEL WORKLOAD METRIC SCALE FORMAT
  local label=$1 wl=$2 m=$3 scale=$4 f=$5 p cells=()
  for p in "${PATHS[@]}"; do
    local v
    v=$(val "$wl.$p.$m")
    cells+=("$(fmt "$f" "${v:+$v / $scale}")")
  done
  local ab=- ac=-  # a ratio of loss figures means nothing
  if [ "$m" != loss ]; then
    ab=$(ratio "$(val "$wl.a.$m")" "$(val "$wl.b.$m")")
    ac=$(ratio "$(val "$wl.a.$m")" "$(val "$wl.c.$m")")
  fi
  printf '%-28s %12s %12s %12s %12s %8s %8s\n' "$label" "${cells[@]}" "$ab" "$ac"
}
echo
printf '%-28s %12s %12s %12s %12s %8s %8s\n' "" "(a) director" "(b) nft fwd" "(c) haproxy" "(d) direct" "a/b" "a/c"
if wants udp; then
  row "UDP 64 B flat out, kpps" udp-flat pps 1000 %.1f
  row "  loss %" udp-flat loss 1 %.3f
  if [ "$udp_rate" -gt 0 ]; then
    row "UDP 64 B at $((udp_rate / 1000)) kpps, kpps" udp-paced pps 1000 %.1f
    row "  loss %" udp-paced loss 1 %.3f
  fi
fi
wants keepalive && row "HTTP keep-alive, req/s" keepalive rps 1 %.0f
wants close && row "HTTP new conn/request, req/s" close rps 1 %.0f
wants bodies && row "1 MiB bodies, GB/s" bodies gbps 1 %.3f
echo
echo "targets:"
target() {  # target TEXT VALUE OP LIMIT
  printf '  %-52s %8s  %s\n' "$1" "$2" "$(verdict "$2" "$3" "$4")"
}
if wants udp; then
  target "UDP flat out: director >= 1.0 x (b)" "$(ratio "$(val udp-flat.a.pps)" "$(val udp-flat.b.pps)")" '>=' 1.0
  loss_wl=udp-flat
  [ "$udp_rate" -gt 0 ] && loss_wl=udp-paced
  target "UDP loss through the director <= 0.1 % ($loss_wl)" "$(fmt %.3f "$(val "$loss_wl.a.loss")")" '<=' 0.1
fi
if wants keepalive; then
  target "keep-alive: director >= 0.95 x (b)" "$(ratio "$(val keepalive.a.rps)" "$(val keepalive.b.rps)")" '>=' 0.95
  target "keep-alive: director >= 1.5 x (c)" "$(ratio "$(val keepalive.a.rps)" "$(val keepalive.c.rps)")" '>=' 1.5
fi
if wants close; then
  target "new connections: director >= 0.9 x (b)" "$(ratio "$(val close.a.rps)" "$(val close.b.rps)")" '>=' 0.9
  target "new connections: director >= 1.6 x (c)" "$(ratio "$(val close.a.rps)" "$(val close.c.rps)")" '>=' 1.6
fi
if wants bodies; then
  target "1 MiB bodies: director >= 0.95 x (b)" "$(ratio "$(val bodies.a.gbps)" "$(val bodies.b.gbps)")" '>=' 0.95
fi
