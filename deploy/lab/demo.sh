#!/usr/bin/env bash
# The appliance's main job, for real: lvs-director balancing live traffic by direct routing in
# the namespace lab (DESIGN.md §6). Run as root from the repository:
#
#   sudo deploy/lab/demo.sh [--keep]
#
#   1. installs missing packages (deploy/install-deps.sh) and builds build/ (Release)
#   2. deploy/lab/lab.sh up: a client, the director and three real servers (nginx on :80, a UDP
#      echo on :9000, the VIP on lo) on one bridge, each in its own network namespace
#   3. starts build/bin/lvs-director in the director's namespace with config/examples/lab.yaml
#      (a copy whose control socket is in a temporary directory and without `mac:` lines)
#   4. from the client: 300 new HTTP connections to the VIP (wlc, weights 3:2:1) and 12 UDP flows
#      (wrr 3:2:1); which real server answered how often, beside what `lvsadm simulate` predicts
#      for the same connections from the same configuration
#   5. three 1 MiB downloads: what the client received against what the director sent (under
#      direct routing the replies go from the real servers straight to the client)
#   6. lvsadm neigh show (MACs the director learned by ARP: the config copy has no `mac:`),
#      lvsadm -L -n --stats and the director's metrics
#   6b. the ARP check: arping the VIP from the client, only the director answers (lvs-agent on
#      every real server suppresses ARP for the VIP); each agent's /healthz and counters
#   7. stops the director and removes the lab; with --keep both stay up and it says how to stop
#
# Exits 0 when every connection was answered by the server the simulator predicted and the
# downloads were complete, 1 otherwise (PROBLEM lines say what).
#
# Every packet stays inside the lab's namespaces. LVS_LAB_PREFIX runs it on a private copy of
# the lab (as lab.sh: the state directory follows the prefix; LVS_LAB_RUN_DIR overrides it);
# LVS_BUILD_DIR builds and runs from another build tree (default build/).
set -euo pipefail

keep=no
case ${1:-} in
"") ;;
--keep) keep=yes ;;
*)
  echo "usage: $0 [--keep]" >&2
  exit 2
  ;;
esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
if [ "$(id -u)" -ne 0 ]; then
  echo "demo: the lab needs root (network namespaces); run: sudo $0 $*" >&2
  exit 1
fi

# The lab harness the lab tests use: the prefix and state directory, the director, client
# requests with counted retries, tallies, metrics, bounded waits.
source tests/lab/lib.sh
VIP=$LAB_VIP
build=${LVS_BUILD_DIR:-build}
director=$build/bin/lvs-director
lvsadm=$build/bin/lvsadm

echo "== dependencies"
bash deploy/install-deps.sh

echo "== build (Release) in $build/"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)" --target lvs-director lvsadm lvs-agent >/dev/null
echo "   $director, $lvsadm, $build/bin/lvs-agent"

lab_init "$build/bin" "$root"  # $tmp, $log, $sock; lab=deploy/lab/lab.sh under $root
config=$tmp/director.yaml
metrics_port=9469  # config/examples/lab.yaml's
cleanup() {
  local rc=$?
  if [ "$keep" = yes ] && [ $rc -eq 0 ]; then
    echo
    echo "== kept (--keep): the lab and the director (pid $director_pid, log $log) are still up"
    echo "   try:  ip netns exec ${P}client curl -s http://$VIP/"
    echo "         $lvsadm --socket $sock -L -n --stats"
    local lab_env=""
    [ "$P" = lvs- ] || lab_env="LVS_LAB_PREFIX=$P "
    [ "$LVS_LAB_RUN_DIR" = "/run/${P}lab" ] || lab_env+="LVS_LAB_RUN_DIR=$LVS_LAB_RUN_DIR "
    echo "   stop: kill $director_pid; $lab_env$lab down; rm -r $tmp"
    return
  fi
  director_term
  "$lab" down >/dev/null 2>&1 || true
  if [ $rc -ne 0 ] && [ -s "$log" ]; then
    echo "--- director log ($log) ---" >&2
    tail -n 30 "$log" >&2
  fi
  [ $rc -ne 0 ] || rm -rf "$tmp"
}
trap cleanup EXIT  # instead of lab_init's lab_exit: --keep leaves the lab up

echo "== lab"
"$lab" up

echo "== director"
# Without the `mac:` lines: the director learns the real servers' MACs with its own ARP resolver
# (lvsadm neigh show below lists what it learned).
director_config config/examples/lab.yaml "$tmp/lab.yaml"
sed -e '/^ *mac: /d' "$tmp/lab.yaml" >"$config"
"$director" --config "$config" --check
if ! director_up "$config"; then
  echo "demo: the director did not start" >&2
  exit 1
fi
sed 's/^lvs-director: /   /' "$log"

# --- traffic ---------------------------------------------------------------------------------
# 300 sequential HTTP connections from one curl process, each closed before the next opens, from
# client ports 10001-10300 (lab_http_burst). Explicit ports because under direct routing the
# director never sees the server's FIN: a closed connection waits out the tcpfin timeout in the
# table, and a new connection that happened to reuse its port would continue it on the old server.
n=300
first=$(cat "$LAB_STATE/next-tcp-port")
lab_http_burst $n >"$tmp/http.out"
for i in $(seq $n); do echo "new $LAB_CLIENT:$((first + i - 1))"; echo "fin $i"; done >"$tmp/http.events"
"$lvsadm" simulate --config "$config" --events "$tmp/http.events" |
  sed -E 's/^10\.200\.0\.1([1-3]):[0-9]+$/rs\1/' >"$tmp/http.sim"

# 12 UDP flows (one datagram each, source ports 50001-50012, lab_udp_flows); every real server
# answers with its name from the VIP.
udp_n=12
first=$(cat "$LAB_STATE/next-udp-port")
lab_udp_flows $udp_n >"$tmp/udp.out"
for p in $(seq "$first" $((first + udp_n - 1))); do echo "new $LAB_CLIENT:$p udp/$VIP:9000"; done >"$tmp/udp.events"
"$lvsadm" simulate --config "$config" --events "$tmp/udp.events" |
  sed -E 's/^10\.200\.0\.1([1-3]):[0-9]+$/rs\1/' >"$tmp/udp.sim"

problems=0
count() { grep -cx "$1" "$2" || true; }
table() {  # table TITLE OBSERVED SIMULATED TOTAL
  printf '   %-36s %6s %6s %6s %9s\n' "$1" rs1 rs2 rs3 answered
  printf '   %-36s %6d %6d %6d %5d/%d\n' "real traffic" "$(count rs1 "$2")" "$(count rs2 "$2")" \
    "$(count rs3 "$2")" "$(grep -cE '^rs[123]$' "$2" || true)" "$4"
  printf '   %-36s %6d %6d %6d\n' "lvsadm simulate, same connections" "$(count rs1 "$3")" \
    "$(count rs2 "$3")" "$(count rs3 "$3")"
  if cmp -s "$2" "$3"; then
    echo "   the real sequence of servers equals the simulator's, connection for connection"
  else
    echo "   PROBLEM: the real sequence of servers differs from the simulator's"
    problems=$((problems + 1))
  fi
}
echo
echo "== $n HTTP connections to $VIP:80 (wlc; weights rs1=3 rs2=2 rs3=1)"
table "tcp/$VIP:80 wlc" "$tmp/http.out" "$tmp/http.sim" $n
echo
echo "== $udp_n UDP flows to $VIP:9000 (wrr; weights 3:2:1)"
table "udp/$VIP:9000 wrr" "$tmp/udp.out" "$tmp/udp.sim" $udp_n

echo
echo "== direct routing: 3 x 1 MiB through the VIP"
stat_of() { in_ns "$1" cat "/sys/class/net/eth0/statistics/$2"; }
dir_tx0=$(stat_of dir tx_bytes) cli_rx0=$(stat_of client rx_bytes)
got=$(for i in 1 2 3; do lab_http_get "http://$VIP/1m" -m 10 -o /dev/null -w '%{size_download}' || true; done |
  awk '{s += $1} END {print s + 0}')
dir_tx=$(($(stat_of dir tx_bytes) - dir_tx0)) cli_rx=$(($(stat_of client rx_bytes) - cli_rx0))
echo "   downloaded $got bytes; the client's eth0 received $cli_rx bytes, the director's eth0 sent $dir_tx"
echo "   (the director forwards only the client's packets; the replies bypass it)"
if [ "$got" -ne $((3 * 1048576)) ]; then
  echo "   PROBLEM: expected $((3 * 1048576)) bytes"
  problems=$((problems + 1))
fi

echo
echo "== lvsadm neigh show (the director's own ARP resolver; ip neigh layout)"
"$lvsadm" --socket "$sock" neigh show ||
  echo "   (lvsadm could not query the director through $sock)"

echo
echo "== lvsadm -L -n --stats"
"$lvsadm" --socket "$sock" -L -n --stats ||
  echo "   (lvsadm could not query the director through $sock)"

echo
echo "== metrics (ip netns exec ${P}dir curl -s 127.0.0.1:9469/metrics | grep ^lvs_)"
# Published once a second: poll (up to 5 s) for the publication that has all the connections
# above (300 + the 3 downloads; 12 UDP flows).
wait_metric lvs_service_connections_total "service=\"udp/$VIP:9000\"" $udp_n &&
  wait_metric lvs_service_connections_total "service=\"tcp/$VIP:80\"" $((n + 3)) || true
metrics=$(in_ns dir curl -s -m 3 http://127.0.0.1:9469/metrics || true)
if grep -q '^lvs_' <<<"$metrics"; then
  # An excerpt: the HTTP service and its backends, the queue, the neighbours.
  grep -E '^lvs_(service_connections_total|backend_connections_(total|inactive)|backend_weight|backend_up|queue_(packets|dropped)_total|neighbour_(entries|state))' <<<"$metrics" |
    grep -v 'udp/' | sed 's/^/   /'
  echo "   ... $(grep -c '^lvs_' <<<"$metrics") lvs_ samples in all"
else
  echo "   (no lvs_ metrics from 127.0.0.1:9469 in the director's namespace)"
fi

echo
echo "== the ARP problem: who answers ARP for $VIP? (ip netns exec ${P}client arping -c 3 $VIP)"
# Every real server holds the VIP on lo; lvs-agent (started by lab.sh in each) keeps them silent,
# so only the director's MAC may answer.
arp_replies() {
  in_ns client arping -c 3 -w 5 -I eth0 "$VIP" 2>/dev/null |
    sed -n 's/.* from \([0-9a-fA-F:]*\) .*/\1/p' | tr 'A-F' 'a-f' | sort | uniq -c || true
}
arp_macs=$(lab_retry_if_empty "arping unanswered" "arping $VIP" arp_replies)
if [ -n "$arp_macs" ]; then
  sed 's/^ */   replies: /; s/$/ (02:00:00:00:00:02 is the director)/' <<<"$arp_macs"
else
  echo "   no ARP replies"
fi
if [ "$(awk '{print $2}' <<<"$arp_macs" | sort -u)" != "02:00:00:00:00:02" ]; then
  echo "   PROBLEM: expected replies from the director's MAC 02:00:00:00:00:02 only"
  problems=$((problems + 1))
fi
for h in rs1 rs2 rs3; do
  agent=$(in_ns "$h" curl -s -m 2 http://127.0.0.1:9470/metrics 2>/dev/null |
    grep -E '^lvs_agent_(vip_present|arp_requests_dropped_total)' | tr '\n' ' ' || true)
  health=$(in_ns "$h" curl -s -o /dev/null -w '%{http_code}' -m 2 http://127.0.0.1:9470/healthz 2>/dev/null || true)
  echo "   $h lvs-agent /healthz ${health:-none}: ${agent:-(no agent metrics)}"
done

if [ "$keep" = no ]; then
  echo
  echo "== stopping the director and removing the lab (--keep leaves them up)"
fi
echo "demo: client requests: $(lab_retry_summary)"
if [ $problems -ne 0 ]; then
  echo "demo: $problems problem(s), see PROBLEM above" >&2
  exit 1
fi
