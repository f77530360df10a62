#!/usr/bin/env bash
# The director's Prometheus endpoint (DESIGN.md §5) against real traffic: lab.sh up, the real
# lvs-director in the director namespace with a copy of config/examples/lab.yaml (private
# control socket, `metrics: 127.0.0.1:PORT`), then real clients in the client namespace:
#   - N new HTTP connections and 6 UDP flows; the scrape (curl inside the director namespace)
#     must agree with what the clients saw: lvs_backend_connections_total per real server equals
#     the answers counted per server, and sums to N (and 6 for UDP)
#   - lvs_service_connections_total / _packets_total / _bytes_total, lvs_backend_up 1 for all,
#     weights, neighbour entries and states, lvs_queue_packets_total > 0, the kernel's
#     lvs_queue_dropped_total series, every lvs_forward_errors_total reason present, types as
#     DESIGN.md §5 says, Content-Type text/plain (Prometheus text format)
#   - SIGHUP with rs3 quiesced (weight 0): lvs_backend_up and lvs_backend_weight follow
#   - a UDP service with every server quiesced: lvs_scheduler_no_dest_total counts the drop
#   - a second director with the metrics port taken: exit 1, one line naming the address
#
#   bash tests/lab/metrics_test.sh BIN_DIR SOURCE_DIR       (as ctest runs it)
#
# Every packet is sent from the client namespace to addresses inside the lab; the scrape runs
# inside the director namespace (its 127.0.0.1 is private). Exit 77 (skipped) when not root,
# unless CI=true. LVS_LAB_PREFIX runs it on a private copy of the lab;
# LVS_METRICS_PORT picks the port (default 9469, the config's default).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bin_dir=${1:?usage: metrics_test.sh BIN_DIR SOURCE_DIR}
src_dir=${2:?usage: metrics_test.sh BIN_DIR SOURCE_DIR}
director_bin=$bin_dir/lvs-director
lab=$src_dir/deploy/lab/lab.sh

lab_require_root
lab_require_tools curl socat nft ip
lab_require_built "$director_bin"

lab_prefix
readonly VIP=10.200.0.100
readonly PORT=${LVS_METRICS_PORT:-9469}
readonly N=30
readonly TCP_SVC="tcp/$VIP:80" UDP_SVC="udp/$VIP:9000"

tmp=$(mktemp -d /tmp/metrics_test.XXXXXX)
config=$tmp/director.yaml
log=$tmp/director.log
scrape_file=$tmp/scrape.txt
director_pid=""

# Up to 2 s of stop_director's wait is the HTTP server's listener noticing the stop.
DIRECTOR_STOP_TENTHS=50
cleanup() {
  stop_director
  "$lab" down >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

lab_failure_report() {  # finish's, when something failed
  echo "--- director log ---"
  cat "$log" 2>/dev/null
  echo "--- last scrape ---"
  grep '^lvs_' "$scrape_file" 2>/dev/null
}

director_running() { kill -0 "$director_pid" 2>/dev/null; }
table_present() { in_ns dir nft list table ip lvs_director >/dev/null 2>&1; }

# One scrape into $scrape_file (headers in $scrape_file.headers); fails if the endpoint did not
# answer 200.
scrape() {
  in_ns dir curl -s -m 3 -D "$scrape_file.headers" -o "$scrape_file" \
    "http://127.0.0.1:$PORT/metrics" && grep -q '^HTTP/1.[01] 200' "$scrape_file.headers"
}
# value NAME 'LABELS': the sample's value in the last scrape (empty if absent).
value() {
  local series=$1
  [[ -n ${2:-} ]] && series="$1{$2}"
  awk -v s="$series" '$1 == s { print $2; found = 1; exit } END { if (!found) exit 1 }' "$scrape_file"
}
svc() { echo "service=\"$1\""; }
backend() { echo "service=\"$1\",backend=\"$2\""; }
type_of() { awk -v n="$1" '$1 == "#" && $2 == "TYPE" && $3 == n { print $4 }' "$scrape_file"; }
# Scrapes until `value NAME LABELS` equals WANT (metrics are published once a second).
wait_value() {  # wait_value NAME LABELS WANT
  for _ in $(seq 50); do
    scrape && [[ "$(value "$1" "$2")" == "$3" ]] && return 0
    sleep 0.1
  done
  return 1
}

http_requests() {
  in_ns client bash -c 'for i in $(seq '"$1"'); do curl -s -m 3 http://'"$VIP"'/ || echo none; done'
}
udp_flows() {
  in_ns client bash -c 'for i in $(seq '"$1"'); do echo ping | socat -T1 - UDP4:'"$VIP"':9000 || echo none; done'
}
count_of() { grep -cx "$1" <<<"$2" || true; }

# --- lab and director ------------------------------------------------------------------------
"$lab" down >/dev/null 2>&1 || true
if ! "$lab" up >"$tmp/lab.log" 2>&1; then
  cat "$tmp/lab.log"
  not_ok "lab.sh up"
  finish
fi
sed -e "s|control-socket: .*|control-socket: $tmp/director.sock|" \
  -e "s|metrics: .*|metrics: 127.0.0.1:$PORT|" "$src_dir/config/examples/lab.yaml" >"$config"
ip netns exec "${P}dir" "$director_bin" --config "$config" >"$log" 2>&1 &
director_pid=$!
if ! wait_for 100 table_present || ! director_running; then
  not_ok "director installed its nft table within 10 s"
  finish
fi
ok "director running"
if ! wait_for 50 scrape; then
  not_ok "GET http://127.0.0.1:$PORT/metrics answers 200 inside ${P}dir"
  finish
fi
ok "GET http://127.0.0.1:$PORT/metrics answers 200 inside ${P}dir"
check "Content-Type is Prometheus text (text/plain)" \
  grep -qi '^content-type: text/plain' "$scrape_file.headers"
check "before any traffic: lvs_backend_connections_total 0 for rs1" \
  [ "$(value lvs_backend_connections_total "$(backend "$TCP_SVC" 10.200.0.11:80)")" == 0 ]

# --- real traffic ----------------------------------------------------------------------------
bodies=$(http_requests $N)
udp=$(udp_flows 6)
rs1=$(count_of rs1 "$bodies") rs2=$(count_of rs2 "$bodies") rs3=$(count_of rs3 "$bodies")
echo "     http $N connections: rs1=$rs1 rs2=$rs2 rs3=$rs3; udp: $(tr '\n' ' ' <<<"$udp")"
check "all $N HTTP requests answered" [ $((rs1 + rs2 + rs3)) -eq $N ]
check "the scrape shows $N TCP connections within 5 s" \
  wait_value lvs_service_connections_total "$(svc "$TCP_SVC")" $N
# Let one more publish pass so every family is from after the traffic.
sleep 1.2
scrape || not_ok "scrape after the traffic"
grep '^lvs_' "$scrape_file" | sed 's/^/     /'

for i in 1 2 3; do
  want=$(count_of "rs$i" "$bodies")
  got=$(value lvs_backend_connections_total "$(backend "$TCP_SVC" "10.200.0.1$i:80")")
  check "lvs_backend_connections_total rs$i:80 = $want answers counted at the client (got $got)" \
    [ "$got" == "$want" ]
  want=$(count_of "rs$i" "$udp")
  got=$(value lvs_backend_connections_total "$(backend "$UDP_SVC" "10.200.0.1$i:9000")")
  check "lvs_backend_connections_total rs$i:9000 = $want UDP answers (got $got)" [ "$got" == "$want" ]
  check "lvs_backend_up 1 for rs$i:80" \
    [ "$(value lvs_backend_up "$(backend "$TCP_SVC" "10.200.0.1$i:80")")" == 1 ]
  check "lvs_backend_up 1 for rs$i:9000" \
    [ "$(value lvs_backend_up "$(backend "$UDP_SVC" "10.200.0.1$i:9000")")" == 1 ]
  check "lvs_backend_weight rs$i:80 = $((4 - i))" \
    [ "$(value lvs_backend_weight "$(backend "$TCP_SVC" "10.200.0.1$i:80")")" == $((4 - i)) ]
  check "lvs_neighbour_state 10.200.0.1$i PERMANENT" \
    [ "$(value lvs_neighbour_state "ip=\"10.200.0.1$i\",state=\"PERMANENT\"")" == 1 ]
done
sum=$(awk -v p="lvs_backend_connections_total{service=\"$TCP_SVC\"," 'index($1, p) == 1 { s += $2 } END { print s + 0 }' "$scrape_file")
check "lvs_backend_connections_total over the TCP backends sums to $N (got $sum)" [ "$sum" -eq $N ]
check "lvs_service_connections_total udp = 6" \
  [ "$(value lvs_service_connections_total "$(svc "$UDP_SVC")")" == 6 ]
tcp_pkts=$(value lvs_service_packets_total "$(svc "$TCP_SVC")")
check_expr "lvs_service_packets_total tcp > $N (got $tcp_pkts)" '[ "${tcp_pkts:-0}" -gt $N ]'
bpkts=$(awk -v p="lvs_backend_packets_total{service=\"$TCP_SVC\"," 'index($1, p) == 1 { s += $2 } END { print s + 0 }' "$scrape_file")
check "lvs_backend_packets_total sums to the service's packets ($bpkts)" [ "$bpkts" == "$tcp_pkts" ]
tcp_bytes=$(value lvs_service_bytes_total "$(svc "$TCP_SVC")")
check_expr "lvs_service_bytes_total tcp >= 40 bytes per packet (got $tcp_bytes)" \
  '[ "${tcp_bytes:-0}" -ge $((tcp_pkts * 40)) ]'
check "lvs_scheduler_no_dest_total tcp = 0" \
  [ "$(value lvs_scheduler_no_dest_total "$(svc "$TCP_SVC")")" == 0 ]
queue_pkts=$(value lvs_queue_packets_total 'queue="0"')
check_expr "lvs_queue_packets_total{queue=\"0\"} >= the service packets (got $queue_pkts)" \
  '[ "${queue_pkts:-0}" -gt 0 ] && [ "$queue_pkts" -ge "$tcp_pkts" ]'
check "lvs_queue_dropped_total queue 0 queue_full = 0" \
  [ "$(value lvs_queue_dropped_total 'queue="0",reason="queue_full"')" == 0 ]
check "lvs_queue_dropped_total queue 0 socket_full = 0" \
  [ "$(value lvs_queue_dropped_total 'queue="0",reason="socket_full"')" == 0 ]
# The three PERMANENT real servers, plus the client: its ARP request for the VIP creates a
# STALE entry for it, as Linux's arp_process() does for a request to one of our addresses.
entries=$(value lvs_neighbour_entries)
check_expr "lvs_neighbour_entries 3 real servers (+ the client: got $entries)" \
  '[ "$entries" == 3 ] || { [ "$entries" == 4 ] && [ "$(value lvs_neighbour_state "ip=\"10.200.0.10\",state=\"STALE\"")" == 1 ]; }'
hits=$(value lvs_neighbour_hits_total)
check_expr "lvs_neighbour_hits_total counts the packet path's lookups (got $hits)" \
  '[ "${hits:-0}" -gt 0 ] && [ "$hits" == "$(value lvs_neighbour_lookups_total)" ]'
missing=""
for reason in truncated not_ipv4 bad_header_length bad_total_length bad_checksum \
  unsupported_protocol fragment truncated_l4 bad_tcp_header_length bad_udp_length \
  no_service no_destination neighbour_unresolved send_no_buffer_space send_message_too_long \
  send_interface_down send_other queue_receive_error queue_malformed queue_netlink_error \
  queue_verdict_error; do
  value lvs_forward_errors_total "reason=\"$reason\"" >/dev/null || missing+=" $reason"
done
check "lvs_forward_errors_total has every reason (missing:${missing:- none})" [ -z "$missing" ]
nonzero=$(awk '$1 ~ /^lvs_forward_errors_total\{/ && $2 != 0' "$scrape_file")
check "no forward error on clean traffic ($nonzero)" [ -z "$nonzero" ]

wrong=""
for name in lvs_service_connections_total lvs_service_packets_total lvs_service_bytes_total \
  lvs_backend_connections_total lvs_backend_packets_total lvs_backend_bytes_total \
  lvs_scheduler_no_dest_total lvs_queue_packets_total lvs_queue_dropped_total \
  lvs_forward_errors_total lvs_neighbour_allocs_total lvs_neighbour_destroys_total \
  lvs_neighbour_lookups_total lvs_neighbour_hits_total lvs_neighbour_lladdr_changes_total; do
  [[ $(type_of $name) == counter ]] || wrong+=" $name"
done
for name in lvs_backend_connections_active lvs_backend_connections_inactive lvs_backend_weight \
  lvs_backend_up lvs_neighbour_entries lvs_neighbour_state; do
  [[ $(type_of $name) == gauge ]] || wrong+=" $name"
done
check "types: counters and gauges as DESIGN.md §5 (wrong:${wrong:- none})" [ -z "$wrong" ]

# --- quiesce rs3 (weight 0) for HTTP and every UDP server: up, weight and no-dest follow --------
cp "$config" "$tmp/good.yaml"
awk '
  /real-server: 10.200.0.13:80$/ { rs3 = 1 }
  rs3 && /weight:/ { sub(/weight: [0-9]+/, "weight: 0"); rs3 = 0 }
  /udp-service:/ { udp = 1 }
  udp && /weight:/ { sub(/weight: [0-9]+/, "weight: 0") }
  { print }' "$tmp/good.yaml" >"$config"
kill -HUP "$director_pid"
wait_for 50 log_has "reload applied" || not_ok "reload with rs3 quiesced applied"
check "after SIGHUP: lvs_backend_up 0 for the quiesced rs3:80" \
  wait_value lvs_backend_up "$(backend "$TCP_SVC" 10.200.0.13:80)" 0
check "after SIGHUP: lvs_backend_weight 0 for rs3:80" \
  [ "$(value lvs_backend_weight "$(backend "$TCP_SVC" 10.200.0.13:80)")" == 0 ]
check "after SIGHUP: rs1:80 still up" \
  [ "$(value lvs_backend_up "$(backend "$TCP_SVC" 10.200.0.11:80)")" == 1 ]
udp=$(udp_flows 2)
check_expr "UDP with every server quiesced: no answers" '! grep -q "^rs" <<<"$udp"'
check "lvs_scheduler_no_dest_total udp counts the 2 unscheduled flows" \
  wait_value lvs_scheduler_no_dest_total "$(svc "$UDP_SVC")" 2
check "lvs_forward_errors_total{reason=\"no_destination\"} counts them too" \
  [ "$(value lvs_forward_errors_total 'reason="no_destination"')" -ge 2 ]

# --- a second director with the metrics port taken --------------------------------------------
# Queue 1 and its own socket, so only the metrics address collides.
sed -e 's/queue: 0/queue: 1/' -e "s|$tmp/director.sock|$tmp/second.sock|" "$config" >"$tmp/second.yaml"
rc=0
out=$(ip netns exec "${P}dir" timeout 10 "$director_bin" --config "$tmp/second.yaml" 2>&1) || rc=$?
echo "     second director: exit $rc: $(grep -m1 metrics <<<"$out")"
check_expr "metrics port taken: exit 1, one line naming 127.0.0.1:$PORT" \
  '[ "$rc" -eq 1 ] && grep -q "metrics: cannot listen on 127.0.0.1:$PORT: Address already in use" <<<"$out"'
check "the refused start left the running director serving metrics" scrape

# --- SIGTERM ---------------------------------------------------------------------------------
kill -TERM "$director_pid"
status=0
wait "$director_pid" || status=$?
director_pid=""
check "SIGTERM: director exited 0 (got $status)" [ "$status" -eq 0 ]
check "after exit the metrics port is closed" bash -c "! ip netns exec ${P}dir curl -s -m 2 http://127.0.0.1:$PORT/metrics >/dev/null"
check "no sanitizer report in the director's log (sanitized builds)" \
  bash -c "! grep -qE 'runtime error|AddressSanitizer|LeakSanitizer' '$log'"

finish
