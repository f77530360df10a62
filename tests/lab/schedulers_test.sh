#!/usr/bin/env bash
# Every scheduler on the real packet path (DESIGN.md §4, §6): lab.sh up, then for each of rr wrr
# lc wlc sh dh lblc lblcr sed nq fo ovf mh twos a fresh lvs-director in the director's namespace, real connections from
# the client namespace, and assertions on which real server answered. The oracle throughout is
# `lvsadm simulate` (the daemon's own scheduler and connection-table code, offline): for the same
# events it must name the same servers in the same order as the real traffic did. On top of that
# each scheduler's own promise is checked with its expected numbers:
#   rr     300 connections split exactly 100/100/100; UDP flows round-robin, a flow (same source
#          port) stays on its server
#   wrr    3:2:1 gives exactly 150/100/50 over 300; a 1 MiB download at a limited rate spans 300
#          other connections and a SIGHUP that quiesces its server (weight 0) and re-weights the
#          others 2:1: the others split exactly 100/50, the download completes in full from the
#          same server
#   lc     two idle connections held open land on two servers; the next 60 all go to the third;
#          once the two are closed the next 60 go 30/30 to those two (they have fewer inactive)
#   wlc    one held connection per server; the next 60 go to rs1 (weight 3: 256/3 < 256/2);
#          after closing, rs2 and rs3 catch up 40/20 (2:1 against rs1's 60/3 inactive)
#   sh     20 client addresses, 3 connections each: each address always on one server, the map
#          equal to simulate's, at least two servers used
#   dh     all connections to a VIP on one server; a second VIP (chosen by simulate to differ)
#          on another
#   lblc   all connections for the VIP on one server while it is not overloaded; two connections
#   lblcr  held open on it (active 2 > weight 1) overload it: the next 30 all go elsewhere
#   sed    closed connections weigh nothing: 30 to rs1 (1/3); held ones go rs1 rs2 rs1; then
#          (active + 1) / weight ties at 1 and all 30 go to the list head, rs3
#   nq     30 to rs3 (the first idle server in list order); held ones go rs3 rs2 rs1; with none
#          idle, as sed: all 30 to rs1 (2/3)
#   fo     all 30 to rs1 (highest weight); a SIGHUP quiescing rs1 moves the next 30 to rs2
#   ovf    all 30 to rs1; it takes 4 held connections (active 0..3 <= weight 3), then
#          overflows: the next 30 go to rs2
#   mh     as sh: 20 client addresses, each always on one server, the map equal to simulate's
#   twos   the director started with --random-seed N: 90 connections, all answered, all three
#          servers used, and exactly simulate --random-seed N's servers in order
#
#   bash tests/lab/schedulers_test.sh BIN_DIR SOURCE_DIR       (as ctest runs it)
#
# HTTP requests are sequential new connections from one curl process (one transfer per connection,
# "Connection: close", client ports chosen by the test and never reused), ~1 ms each.
# Every packet is sent from the client namespace to addresses inside the lab. Exit 77 (skipped)
# when not root, unless CI=true. LVS_LAB_PREFIX runs it on a private copy of the
# lab. Beyond lab.sh's lab, the test adds 10.200.0.20-39 to the client's eth0 (sources for sh), a
# second VIP to the director's eth0 and the real servers' lo (dh), and caps the client's TCP
# receive buffer (the long-lived download); lab.sh down removes it all with the namespaces.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

lab_require_root
lab_require_tools curl socat nft ip ss
lab_init "$@"
lab_require_built "$director_bin" "$lvsadm_bin"

readonly NET=10.200.0
readonly VIP=$LAB_VIP
readonly CLIENT=$LAB_CLIENT
readonly SVC=tcp/$VIP:80
readonly UDP_SVC=udp/$VIP:9000
readonly RS=(rs1 rs2 rs3)
declare -rA RS_ADDR=([rs1]=$NET.11 [rs2]=$NET.12 [rs3]=$NET.13)
declare -rA RS_MAC=([rs1]=02:00:00:00:00:0b [rs2]=02:00:00:00:00:0c [rs3]=02:00:00:00:00:0d)
SH_CLIENTS=$(seq 20 39)
readonly SH_CLIENTS

config=$tmp/director.yaml
log=/dev/null  # each director's own log: start_director
hold_pids=() hold_writers=()

release_holds() {
  local pid
  for pid in "${hold_writers[@]}"; do kill "$pid" 2>/dev/null || true; done
  # Each socat sends its FIN and exits once its input ends: up to 3 s each, then TERM.
  for pid in "${hold_pids[@]}"; do wait_for 30 lab_gone "$pid"; stop_pid "$pid"; done
  for pid in "${hold_writers[@]}"; do wait "$pid" 2>/dev/null || true; done
  hold_pids=() hold_writers=()
}
slow_pid=""
lab_on_exit() {
  release_holds
  stop_pid "$slow_pid"
}

failed_logs=()
lab_on_fail() { [[ " ${failed_logs[*]} " == *" $log "* ]] || failed_logs+=("$log"); }
lab_failure_report() {  # finish's, when something failed
  local f
  for f in "${failed_logs[@]}"; do
    [[ -f $f ]] || continue
    echo "--- $(basename "$f") (last 40 lines) ---"
    tail -n 40 "$f"
  done
}

# Real server address (with any port) -> its lab name, as the bodies say it; "-" stays "-".
rs_names() { sed -E "s/^$NET\.1([1-3])(:[0-9]+)?\$/rs\1/"; }

# --- the oracle: lvsadm simulate on the events so far --------------------------------------------
# Every connection the test opens is written to $events as `new` in the order it happened (and
# `fin` when the client closed it), and the server that took it to $observed, so at any point the
# simulator's i-th answer must be the i-th server observed. State lives in these files, not in
# shell variables, because the traffic helpers run inside $(...).
events=$tmp/events
observed=$tmp/observed
reset_events() { : >"$events"; : >"$observed"; }
conn_count() { grep -c '^new' "$events"; }
# Without PORT (a connection on a kernel-chosen port, which no decision here depends on), a port
# no burst uses: 40000 + the connection's number.
event_new() {  # event_new [CLIENT_IP [SERVICE [PORT]]]
  echo "new ${1:-$CLIENT}:${3:-$((40001 + $(conn_count)))} ${2:-}" >>"$events"
}
event_fin() { echo "fin $1" >>"$events"; }
# simulate_last N: the simulator's last N answers for the events so far, as rsN names; any
# further simulate options in the array simulate_args (twos: the director's --random-seed).
simulate_args=()
simulate_last() {
  "$lvsadm_bin" simulate --config "$config" --events "$events" "${simulate_args[@]}" \
    2>>"$tmp/simulate.err" |
    rs_names | tail -n "$1"
}
# check_like_simulate WHAT OBSERVED: OBSERVED (one server per line, the newest connections in
# order) must equal the simulator's answers for the same connections.
check_like_simulate() {
  local what=$1 seen=$2 n expected
  n=$(grep -c . <<<"$seen")
  expected=$(simulate_last "$n")
  if [[ -n $seen && "$expected" == "$seen" ]]; then
    ok "$what: the $n server(s) equal lvsadm simulate's, in order"
  else
    not_ok "$what: the $n server(s) differ from lvsadm simulate's ($(tally <<<"$expected"))"
    diff <(echo "$expected") <(echo "$seen") | head -n 6 | sed 's/^/     /'
  fi
}

# --- traffic ---------------------------------------------------------------------------------
# HTTP bursts are lib.sh's lab_http_burst: client ports from 10001 upward, each once per test run
# (why: lab_next_ports), and the simulator gets the same ports.

# http_burst N [SOURCE [VIP]]: N sequential new connections to VIP:80 from SOURCE (default the
# client's own address), recorded as new+fin each; prints one body line (the server's name) per
# request, "none" for one never answered (after lab_http_burst's retries from the same port).
http_burst() {
  local n=$1 src=${2:-$CLIENT} vip=${3:-$VIP} out i k first svc=""
  [[ $vip != "$VIP" ]] && svc=tcp/$vip:80
  first=$(cat "$LAB_STATE/next-tcp-port")
  out=$(lab_http_burst "$n" "$src" "$vip")
  k=$(conn_count)
  for i in $(seq "$n"); do
    event_new "$src" "$svc" $((first + i - 1))
    event_fin $((k + i))
  done
  printf '%s\n' "$out" | tee -a "$observed"
}

# Established HTTP connections on each real server ("N1 N2 N3" for rs1 rs2 rs3): the held and
# long-lived connections, seen from the server side.
established() {
  local h c=()
  for h in "${RS[@]}"; do c+=("$(in_ns "$h" ss -Htn state established '( sport = :80 )' | wc -l)"); done
  echo "${c[*]}"
}
# The first server whose established count is above BEFORE's ("none" if none is).
grown_server() {
  local before after i
  read -ra before <<<"$1"
  read -ra after <<<"$(established)"
  for i in 0 1 2; do
    if [[ ${after[$i]} -gt ${before[$i]} ]]; then echo "${RS[$i]}"; return; fi
  done
  echo none
}
# wait_grown BEFORE: until some server has one more established connection (up to 3 s); prints it.
wait_grown() {
  local s
  for _ in $(seq 30); do
    s=$(grown_server "$1")
    [[ $s != none ]] && break
    sleep 0.1
  done
  echo "$s"
}

# Active TCP connections to port 80 the running director counts (ActiveConn over its servers).
active_is() {
  [[ "$("$lvsadm_bin" --socket "$sock" -L -n 2>/dev/null |
    awk '$1 == "->" && $2 ~ /:80$/ { n += $5 } END { print n + 0 }')" == "$1" ]]
}
# hold_connection: opens one idle TCP connection to VIP:80 from the client and keeps it open
# (ESTABLISHED: active for the director) until release_held. socat reads a fifo whose only
# writer is a sleep; killing the sleep ends socat's input, it sends FIN and exits, so the
# director sees a normal close (FIN_WAIT, inactive), like simulate's `fin`. Runs in this shell
# (the pids are ours); the server it landed on is appended to $observed and held_servers.
held_servers=() holds_opened=0
hold_connection() {
  local fifo before server
  holds_opened=$((holds_opened + 1))
  fifo=$tmp/hold.$holds_opened
  before=$(established)
  mkfifo "$fifo"
  ip netns exec "${P}client" socat -u "OPEN:$fifo" "TCP4:$VIP:80" >/dev/null 2>&1 &
  hold_pids+=($!)
  sleep 600 >"$fifo" &
  hold_writers+=($!)
  server=$(wait_grown "$before")
  event_new
  echo "$server" >>"$observed"
  held_servers+=("$server")
  # The director has seen the handshake's ACK before the next SYN: it counts the held ones active.
  wait_for 30 active_is ${#held_servers[@]} ||
    echo "     (the director does not show ${#held_servers[@]} active connection(s) within 3 s)"
}
# release_held K...: closes every held connection; K... are their connection numbers.
release_held() {
  local k
  release_holds
  for k in "$@"; do event_fin "$k"; done
  # Their FINs went out before socat exited: until the director counts none active (up to 3 s).
  wait_for 30 active_is 0 || echo "     (the director still shows active connections after 3 s)"
  held_servers=()
}

# --- director --------------------------------------------------------------------------------
# write_config FILE SCHEDULER "W1 W2 W3" [UDP_SCHEDULER [VIP2]]: the lab's services with the
# given scheduler and rs1..rs3 weights, PERMANENT neighbours from lab.sh's fixed MACs; VIP2 adds a
# second HTTP service with the same servers. The control socket is private to this run; the
# metrics address is inside the director's own namespace.
real_servers_yaml() {  # real_servers_yaml PORT W1 W2 W3
  local port=$1 i
  shift
  for i in 0 1 2; do
    printf '      - real-server: %s:%s\n        mac: %s\n        weight: %s\n' \
      "${RS_ADDR[${RS[$i]}]}" "$port" "${RS_MAC[${RS[$i]}]}" "$1"
    shift
  done
}
write_config() {
  local file=$1 sched=$2 weights=$3 udp=${4:-wrr} vip2=${5:-}
  {
    cat <<EOF
# written by tests/lab/schedulers_test.sh: $sched, weights $weights
director:
  interface: eth0
  queue: 0
  control-socket: $sock
  metrics: 127.0.0.1:9483
  vip-mode: external
  timeouts: {tcp: 900, tcpfin: 120, udp: 300}
services:
  - tcp-service: $VIP:80
    scheduler: $sched
    real-servers:
EOF
    real_servers_yaml 80 $weights
    if [[ -n $vip2 ]]; then
      printf '  - tcp-service: %s:80\n    scheduler: %s\n    real-servers:\n' "$vip2" "$sched"
      real_servers_yaml 80 $weights
    fi
    printf '  - udp-service: %s:9000\n    scheduler: %s\n    real-servers:\n' "$VIP" "$udp"
    real_servers_yaml 9000 $weights
  } >"$file"
}

# start_director NAME: a fresh director on $config (log in $tmp/director-NAME.log) and a fresh
# event history for the simulator. Returns 1 (after reporting) if it did not come up.
start_director() {
  log=$tmp/director-$1.log
  reset_events
  : >"$log"
  if ! director_up "$config"; then
    not_ok "$1: director installed its nft table within 10 s"
    stop_director
    return 1
  fi
  return 0
}
# end_director NAME: SIGTERM gives exit 0, and nothing was dropped for want of a neighbour or a
# send error (the counters line it logs on the way out).
end_director() {
  director_term
  check "$1: director exited 0 on SIGTERM (got $director_status); no neighbour/send drop, no sanitizer report" \
    bash -c "[ $director_status -eq 0 ] && ! grep -qE 'neighbour_unresolved [1-9]|send_|runtime error|Sanitizer' '$log'"
}

# --- lab ---------------------------------------------------------------------------------------
lab_up
# Source addresses for sh (secondary addresses on the client's eth0: the client answers ARP for
# them, so the real servers' replies reach it).
for a in $SH_CLIENTS; do in_ns client ip addr add "$NET.$a/24" dev eth0 || not_ok "client address $NET.$a"; done

# =============================================================================================
echo "== rr (weights 3:2:1, which rr ignores), TCP and UDP"
write_config "$config" rr "3 2 1" rr
if start_director rr; then
  bodies=$(http_burst 300)
  echo "     rr 300 connections: $(tally <<<"$bodies")(expected 100 each)"
  check "rr: 300 connections split exactly 100/100/100" [ "$(counts "$bodies")" == 100/100/100 ]
  check_like_simulate "rr" "$bodies"

  # UDP: 15 new flows (source ports 50001-50015), then 5 more datagrams from port 50001: the
  # flow's connection entry keeps its server, so those 5 go where the first flow went.
  p1=$(lab_next_ports udp 15)
  udp_ports="$(seq -s ' ' "$p1" $((p1 + 14))) $p1 $p1 $p1 $p1 $p1"
  udp=$(for p in $udp_ports; do lab_udp_probe "$VIP" "$p"; done)
  for p in $udp_ports; do event_new "$CLIENT" "$UDP_SVC" "$p"; done
  echo "$udp" >>"$observed"
  first15=$(head -n 15 <<<"$udp")
  last5=$(tail -n +16 <<<"$udp")
  first=$(head -n 1 <<<"$udp")
  echo "     udp 15 flows: $(tally <<<"$first15")(expected 5 each); 5 more from port 50001: $(tally <<<"$last5")(expected $first=5)"
  check "udp rr: 15 flows split exactly 5/5/5" [ "$(counts "$first15")" == 5/5/5 ]
  check_expr "udp: 5 more datagrams of the first flow all went to its server ($first)" \
    '[ "$(grep -c . <<<"$last5")" -eq 5 ] && [ "$(count_of "$first" "$last5")" -eq 5 ]'
  check_like_simulate "udp rr" "$udp"
  end_director rr
fi

# =============================================================================================
echo "== wrr 3:2:1, and a long-lived download across 300 connections and a reload"
write_config "$config" wrr "3 2 1"
if start_director wrr; then
  bodies=$(http_burst 300)
  echo "     wrr 300 connections: $(tally <<<"$bodies")(expected rs1=150 rs2=100 rs3=50)"
  check "wrr 3:2:1: 300 connections split exactly 150/100/50" [ "$(counts "$bodies")" == 150/100/50 ]
  check_like_simulate "wrr" "$bodies"

  # 1 MiB at 128 KiB/s (paced by nginx: /1m-slow; curl's --limit-rate alone once let it finish in
  # 0.4 s): about 8 s, far longer than the traffic and the reload that follow. The
  # client's receive buffer is capped at 64 KiB (this namespace only) so the server keeps sending
  # for the whole download, and every window update from the client must keep reaching it
  # through the director; with the default buffers it would have sent everything in the first
  # second. No retry: the download's completion across what follows is the subject.
  in_ns client sysctl -q -w net.ipv4.tcp_rmem="4096 16384 65536"
  before=$(established)
  ip netns exec "${P}client" curl -s -m 60 --limit-rate 128k -o "$tmp/slow.body" \
    -w '%{size_download}' "http://$VIP/1m-slow" >"$tmp/slow.out" 2>&1 &
  slow_pid=$!
  slow_start=$(date +%s%N)
  slow_server=$(wait_grown "$before")
  event_new
  echo "$slow_server" >>"$observed"
  check "long-lived: the download is established on a real server ($slow_server)" \
    [ "$slow_server" != none ]
  [[ $slow_server == none ]] && { echo "     established: $(established)"; in_ns client ss -tn; }
  check_like_simulate "long-lived: the download's server" "$slow_server"
  bodies=$(http_burst 150)
  echo "     wrr 150 more connections during the download: $(tally <<<"$bodies")"
  check "long-lived: 150 more connections during the download, all answered" \
    [ "$(grep -c . <<<"$bodies")" -eq 150 ]
  check_like_simulate "wrr during the download" "$bodies"

  # The reload: the download's server quiesced (weight 0), the other two re-weighted 2:1.
  new_weights=() others=()
  for h in "${RS[@]}"; do
    if [[ $h == "$slow_server" ]]; then
      new_weights+=(0)
    else
      others+=("$h")
      new_weights+=($((3 - ${#others[@]})))
    fi
  done
  write_config "$config" wrr "${new_weights[*]}"
  kill -HUP "$director_pid"
  check "SIGHUP with weights rs1..3 ${new_weights[*]}: applied" wait_for 50 log_has "reload applied"
  for i in 0 1 2; do echo "edit $SVC ${RS_ADDR[${RS[$i]}]}:80 ${new_weights[$i]}" >>"$events"; done
  bodies=$(http_burst 150)
  echo "     wrr ${new_weights[*]}, 150 connections: $(tally <<<"$bodies")(expected ${others[0]:-?}=100 ${others[1]:-?}=50, none to $slow_server)"
  check_expr "after the reload: none to the quiesced $slow_server, ${others[0]:-?}/${others[1]:-?} exactly 100/50" \
    '[ "$(count_of "$slow_server" "$bodies")" -eq 0 ] && [ "$(count_of "${others[0]:-?}" "$bodies")" -eq 100 ] && [ "$(count_of "${others[1]:-?}" "$bodies")" -eq 50 ]'
  check_like_simulate "wrr after the reload" "$bodies"
  check "long-lived: the download was still running after 300 new connections and the reload" \
    lab_running "$slow_pid"
  slow_status=0
  wait "$slow_pid" || slow_status=$?
  slow_pid=""
  slow_ms=$((($(date +%s%N) - slow_start) / 1000000))
  slow_bytes=$(cat "$tmp/slow.out")
  slow_from=$(head -n 1 "$tmp/slow.body" 2>/dev/null)
  echo "     download: curl exit $slow_status after ${slow_ms} ms or less, $slow_bytes bytes, body from $slow_from"
  check_expr "long-lived: completed with all 1048576 bytes, from $slow_server (curl exit 0)" \
    '[ "$slow_status" -eq 0 ] && [ "$slow_bytes" == 1048576 ] && [ "$(stat -c %s "$tmp/slow.body")" -eq 1048576 ] && [ "$slow_from" == "$slow_server" ]'
  end_director wrr
fi

# =============================================================================================
# lc and wlc: connections held open are active (ESTABLISHED), and an active connection weighs
# 256 inactive ones (IPVS's overhead: active * 256 + inactive).
echo "== lc: new connections avoid the servers holding open connections"
write_config "$config" lc "3 2 1"
if start_director lc; then
  hold_connection
  hold_connection
  loaded=("${held_servers[@]}")
  free=none
  for h in "${RS[@]}"; do [[ " ${loaded[*]} " == *" $h "* ]] || free=$h; done
  echo "     held connections on: ${loaded[*]} (real servers' established: $(established)); free: $free"
  check_expr "lc: the two held connections are on two different servers" \
    '[ "${loaded[0]}" != none ] && [ "${loaded[1]}" != none ] && [ "${loaded[0]}" != "${loaded[1]}" ]'
  check_like_simulate "lc: held connections" "$(tail -n 2 "$observed")"
  bodies=$(http_burst 60)
  echo "     lc 60 connections while held: $(tally <<<"$bodies")(expected $free=60)"
  check "lc: all 60 new connections go to $free, the server without an open connection" \
    [ "$(count_of "$free" "$bodies")" -eq 60 ]
  check_like_simulate "lc while held" "$bodies"
  release_held 1 2
  bodies=$(http_burst 60)
  echo "     lc 60 connections after closing them: $(tally <<<"$bodies")(expected ${loaded[0]}=30 ${loaded[1]}=30, $free=0)"
  check_expr "lc: then 30/30 to ${loaded[0]}/${loaded[1]} (1 inactive each against $free's 60), 0 to $free" \
    '[ "$(count_of "${loaded[0]}" "$bodies")" -eq 30 ] && [ "$(count_of "${loaded[1]}" "$bodies")" -eq 30 ]'
  check_like_simulate "lc after closing" "$bodies"
  end_director lc
fi

echo "== wlc 3:2:1: the weight decides between equally loaded servers"
write_config "$config" wlc "3 2 1"
if start_director wlc; then
  hold_connection
  hold_connection
  hold_connection
  echo "     held connections on: ${held_servers[*]} (real servers' established: $(established))"
  check "wlc: the three held connections are one per server" \
    [ "$(printf '%s\n' "${held_servers[@]}" | sort | tr '\n' ' ')" == "rs1 rs2 rs3 " ]
  check_like_simulate "wlc: held connections" "$(tail -n 3 "$observed")"
  bodies=$(http_burst 60)
  # (256 + n) / 3 stays below 256 / 2 up to n = 128.
  echo "     wlc 60 connections while held: $(tally <<<"$bodies")(expected rs1=60)"
  check "wlc: all 60 new connections go to rs1 (weight 3: 256/3 < 256/2 < 256/1)" \
    [ "$(counts "$bodies")" == 60/0/0 ]
  check_like_simulate "wlc while held" "$bodies"
  release_held 1 2 3
  bodies=$(http_burst 60)
  # rs1 has 61 inactive / 3; rs2 and rs3 (1 inactive each) fill up to that, 2:1.
  echo "     wlc 60 connections after closing them: $(tally <<<"$bodies")(expected rs2=40 rs3=20)"
  check "wlc: then rs2 and rs3 catch up 40/20, none to rs1" [ "$(counts "$bodies")" == 0/40/20 ]
  check_like_simulate "wlc after closing" "$bodies"
  end_director wlc
fi

# =============================================================================================
echo "== sh 3:2:1: one client address, one server"
write_config "$config" sh "3 2 1"
if start_director sh; then
  sh_map=() consistent=0 answered=0
  for a in $SH_CLIENTS; do
    bodies=$(http_burst 3 "$NET.$a")
    answered=$((answered + $(grep -c . <<<"$bodies")))
    if [[ $(sort -u <<<"$bodies" | grep -c .) -eq 1 ]]; then consistent=$((consistent + 1)); fi
    sh_map+=("$(head -n 1 <<<"$bodies")")
  done
  n_addr=$(wc -w <<<"$SH_CLIENTS")
  used=$(printf '%s\n' "${sh_map[@]}" | sort -u | grep -c .)
  echo "     sh: $n_addr addresses x 3 connections, addresses per server: $(printf '%s\n' "${sh_map[@]}" | tally)"
  check "sh: all $((n_addr * 3)) connections answered" [ "$answered" -eq $((n_addr * 3)) ]
  check "sh: each of the $n_addr client addresses always reached the same server ($consistent did)" \
    [ "$consistent" -eq "$n_addr" ]
  check "sh: the addresses spread over at least two servers ($used)" [ "$used" -ge 2 ]
  check_like_simulate "sh" "$(cat "$observed")"
  end_director sh
fi

# =============================================================================================
# dh, lblc and lblcr hash the destination address: for a VIP service that is always the VIP.
# A second VIP for dh: the first of 10.200.0.101-110 that simulate maps to another server.
echo "== dh 3:2:1: one VIP, one server"
vip2=none
for v in $(seq 101 110); do
  write_config "$tmp/dh-probe.yaml" dh "3 2 1" wrr "$NET.$v"
  probe=$(printf 'new %s:1 %s\nnew %s:2 tcp/%s:80\n' "$CLIENT" "$SVC" "$CLIENT" "$NET.$v" |
    "$lvsadm_bin" simulate --config "$tmp/dh-probe.yaml" --events - | sort -u | wc -l)
  if [[ $probe -eq 2 ]]; then vip2=$NET.$v; break; fi
done
check "dh: simulate names a second VIP in 10.200.0.101-110 on another server ($vip2)" [ "$vip2" != none ]
if [[ $vip2 != none ]]; then
  # The second VIP as lab.sh sets up the first: on the director's eth0, on every real server's lo
  # (their arp_ignore=1 already keeps them silent for it).
  in_ns dir ip addr add "$vip2/32" dev eth0
  for h in "${RS[@]}"; do in_ns "$h" ip addr add "$vip2/32" dev lo; done
  write_config "$config" dh "3 2 1" wrr "$vip2"
  if start_director dh; then
    bodies=$(http_burst 30)
    bodies2=$(http_burst 30 "$CLIENT" "$vip2")
    s1=$(head -n 1 <<<"$bodies") s2=$(head -n 1 <<<"$bodies2")
    echo "     dh $VIP: $(tally <<<"$bodies")  $vip2: $(tally <<<"$bodies2")"
    check "dh: all 30 connections to $VIP on one server ($s1)" [ "$(count_of "$s1" "$bodies")" -eq 30 ]
    check "dh: all 30 connections to $vip2 on one server ($s2)" [ "$(count_of "$s2" "$bodies2")" -eq 30 ]
    check "dh: the two VIPs on different servers" [ "$s1" != "$s2" ]
    check_like_simulate "dh, both VIPs" "$(cat "$observed")"
    end_director dh
  fi
fi

# =============================================================================================
for sched in lblc lblcr; do
  echo "== $sched 3:2:1: the VIP stays on one server until it is overloaded"
  write_config "$config" "$sched" "3 2 1"
  start_director "$sched" || continue
  bodies=$(http_burst 60)
  home=$(head -n 1 <<<"$bodies")
  echo "     $sched 60 connections: $(tally <<<"$bodies")(expected all on one server)"
  check "$sched: all 60 connections on one server ($home)" [ "$(count_of "$home" "$bodies")" -eq 60 ]
  check_like_simulate "$sched" "$bodies"
  # Two active connections on the VIP's server: overloaded when active > weight (weight 1 for
  # rs3) while another server has active * 2 < its weight. Only then may the VIP move.
  hold_connection
  hold_connection
  echo "     held connections on: ${held_servers[*]}"
  check_expr "$sched: both held connections on $home too (not overloaded yet)" \
    '[ "${held_servers[0]}" == "$home" ] && [ "${held_servers[1]}" == "$home" ]'
  check_like_simulate "$sched: held connections" "$(tail -n 2 "$observed")"
  bodies=$(http_burst 30)
  moved=$(head -n 1 <<<"$bodies")
  echo "     $sched 30 connections with $home holding 2: $(tally <<<"$bodies")"
  if [[ $home == rs3 ]]; then
    check_expr "$sched: rs3 (weight 1) overloaded by 2 active: all 30 moved to one other server ($moved)" \
      '[ "$moved" != rs3 ] && [ "$(count_of "$moved" "$bodies")" -eq 30 ]'
  else
    check "$sched: all 30 on one server ($moved)" [ "$(count_of "$moved" "$bodies")" -eq 30 ]
  fi
  check_like_simulate "$sched while overloaded" "$bodies"
  release_held $((60 + 1)) $((60 + 2))
  end_director "$sched"
done

# =============================================================================================
# sed and nq count only active connections (+1 for the new one): the closed burst connections
# weigh nothing. The kernel's list order is rs3, rs2, rs1 (the file's order reversed), and a tie
# goes to the server nearest the head.
echo "== sed 3:2:1: least (active + 1) / weight"
write_config "$config" sed "3 2 1"
if start_director sed; then
  bodies=$(http_burst 30)
  echo "     sed 30 connections, none held: $(tally <<<"$bodies")(expected rs1=30: 1/3 < 1/2 < 1/1)"
  check "sed: all 30 to rs1 (1/3 < 1/2 < 1/1; closed connections do not count)" \
    [ "$(counts "$bodies")" == 30/0/0 ]
  check_like_simulate "sed" "$bodies"
  # held: rs1 (1/3), then rs2 (1/2 < 2/3), then rs1 (2/3 < 2/2 = 1/1)
  hold_connection
  hold_connection
  hold_connection
  echo "     held connections on: ${held_servers[*]} (expected rs1 rs2 rs1)"
  check "sed: the held connections went rs1, rs2, rs1" [ "${held_servers[*]}" == "rs1 rs2 rs1" ]
  check_like_simulate "sed: held connections" "$(tail -n 3 "$observed")"
  bodies=$(http_burst 30)
  echo "     sed 30 connections with rs1/rs2/rs3 holding 2/1/0: $(tally <<<"$bodies")(expected rs3=30: 3/3 = 2/2 = 1/1, the tie to the list head)"
  check "sed: all 30 to rs3, the list head, when (active + 1) / weight ties at 1" \
    [ "$(counts "$bodies")" == 0/0/30 ]
  check_like_simulate "sed with held connections" "$bodies"
  release_held 31 32 33
  end_director sed
fi

echo "== nq 3:2:1: the first idle server in list order, else as sed"
write_config "$config" nq "3 2 1"
if start_director nq; then
  bodies=$(http_burst 30)
  echo "     nq 30 connections, none held: $(tally <<<"$bodies")(expected rs3=30: idle and first in the list)"
  check "nq: all 30 to rs3, the first idle server in list order" [ "$(counts "$bodies")" == 0/0/30 ]
  check_like_simulate "nq" "$bodies"
  hold_connection
  hold_connection
  hold_connection
  echo "     held connections on: ${held_servers[*]} (expected rs3 rs2 rs1: each the first idle one)"
  check "nq: the held connections went rs3, rs2, rs1" [ "${held_servers[*]}" == "rs3 rs2 rs1" ]
  check_like_simulate "nq: held connections" "$(tail -n 3 "$observed")"
  bodies=$(http_burst 30)
  echo "     nq 30 connections, one held on each: $(tally <<<"$bodies")(expected rs1=30: 2/3 < 2/2 < 2/1)"
  check "nq: none idle, so as sed: all 30 to rs1 (2/3 < 2/2 < 2/1)" [ "$(counts "$bodies")" == 30/0/0 ]
  check_like_simulate "nq with held connections" "$bodies"
  release_held 31 32 33
  end_director nq
fi

# =============================================================================================
echo "== fo 3:2:1: every connection to the highest weight; a reload quiescing it fails over"
write_config "$config" fo "3 2 1"
if start_director fo; then
  bodies=$(http_burst 30)
  echo "     fo 30 connections: $(tally <<<"$bodies")(expected rs1=30)"
  check "fo: all 30 to rs1, the highest weight" [ "$(counts "$bodies")" == 30/0/0 ]
  check_like_simulate "fo" "$bodies"
  write_config "$config" fo "0 2 1"
  kill -HUP "$director_pid"
  check "fo: SIGHUP with rs1 quiesced (weight 0): applied" wait_for 50 log_has "reload applied"
  echo "edit $SVC ${RS_ADDR[rs1]}:80 0" >>"$events"
  bodies=$(http_burst 30)
  echo "     fo 30 connections with rs1 at weight 0: $(tally <<<"$bodies")(expected rs2=30)"
  check "fo: all 30 to rs2, the highest weight left" [ "$(counts "$bodies")" == 0/30/0 ]
  check_like_simulate "fo after the failover" "$bodies"
  end_director fo
fi

echo "== ovf 3:2:1: the highest weight until its active connections exceed its weight"
write_config "$config" ovf "3 2 1"
if start_director ovf; then
  bodies=$(http_burst 30)
  echo "     ovf 30 connections: $(tally <<<"$bodies")(expected rs1=30)"
  check "ovf: all 30 to rs1, the highest weight" [ "$(counts "$bodies")" == 30/0/0 ]
  check_like_simulate "ovf" "$bodies"
  # rs1 takes held connections while its active ones are <= 3: four of them.
  for _ in 1 2 3 4; do hold_connection; done
  echo "     held connections on: ${held_servers[*]} (expected rs1 x4)"
  check "ovf: the four held connections all on rs1 (active 0..3 <= weight 3)" \
    [ "${held_servers[*]}" == "rs1 rs1 rs1 rs1" ]
  check_like_simulate "ovf: held connections" "$(tail -n 4 "$observed")"
  bodies=$(http_burst 30)
  echo "     ovf 30 connections with rs1 holding 4: $(tally <<<"$bodies")(expected rs2=30)"
  check "ovf: rs1 overflowed (4 active > weight 3): all 30 to rs2" [ "$(counts "$bodies")" == 0/30/0 ]
  check_like_simulate "ovf overflowed" "$bodies"
  release_held 31 32 33 34
  end_director ovf
fi

# =============================================================================================
echo "== mh 3:2:1: Maglev hashing, one client address, one server"
write_config "$config" mh "3 2 1"
if start_director mh; then
  mh_map=() consistent=0 answered=0
  for a in $SH_CLIENTS; do
    bodies=$(http_burst 3 "$NET.$a")
    answered=$((answered + $(grep -c . <<<"$bodies")))
    if [[ $(sort -u <<<"$bodies" | grep -c .) -eq 1 ]]; then consistent=$((consistent + 1)); fi
    mh_map+=("$(head -n 1 <<<"$bodies")")
  done
  n_addr=$(wc -w <<<"$SH_CLIENTS")
  used=$(printf '%s\n' "${mh_map[@]}" | sort -u | grep -c .)
  echo "     mh: $n_addr addresses x 3 connections, addresses per server: $(printf '%s\n' "${mh_map[@]}" | tally)"
  check "mh: all $((n_addr * 3)) connections answered" [ "$answered" -eq $((n_addr * 3)) ]
  check "mh: each of the $n_addr client addresses always reached the same server ($consistent did)" \
    [ "$consistent" -eq "$n_addr" ]
  check "mh: the addresses spread over at least two servers ($used)" [ "$used" -ge 2 ]
  check_like_simulate "mh" "$(cat "$observed")"
  end_director mh
fi

# =============================================================================================
# twos draws at random: the director and simulate get the same seed, so the same draws. Each
# service has its own stream (seeded from the seed and the service), so the UDP service beside it
# does not disturb it.
readonly TWOS_SEED=20261203
echo "== twos 3:2:1: two servers drawn in proportion to weight, the less loaded taken (seed $TWOS_SEED)"
write_config "$config" twos "3 2 1"
director_args=(--random-seed "$TWOS_SEED")
simulate_args=(--random-seed "$TWOS_SEED")
if start_director twos; then
  check "twos: the director logs its random seed" wait_for 30 log_has "random seed $TWOS_SEED"
  bodies=$(http_burst 90)
  used=$(sort -u <<<"$bodies" | grep -c .)
  echo "     twos 90 connections: $(tally <<<"$bodies")"
  check "twos: all 90 connections answered" [ "$(grep -c '^rs[123]$' <<<"$bodies")" -eq 90 ]
  check "twos: all three servers used ($used)" [ "$used" -eq 3 ]
  check_like_simulate "twos (simulate with the director's seed)" "$bodies"
  end_director twos
fi
director_args=() simulate_args=()

if [[ -s $tmp/simulate.err ]]; then
  not_ok "lvsadm simulate complained about the recorded events:"
  head -n 5 "$tmp/simulate.err"
fi
finish
