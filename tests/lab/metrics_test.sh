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

lab_director_test "$@"

readonly VIP=$LAB_VIP
metrics_port=${LVS_METRICS_PORT:-9469}
readonly N=30
readonly TCP_SVC="tcp/$VIP:80" UDP_SVC="udp/$VIP:9000"
config=$tmp/director.yaml
scrape_file=$tmp/scrape.txt

# Up to 2 s of stop_director's wait is the HTTP server's listener noticing the stop.
DIRECTOR_STOP_TENTHS=50

lab_failure_report() {  # finish's, when something failed
  echo "--- director log ---"
  cat "$log" 2>/dev/null
  echo "--- last scrape ---"
  grep '^lvs_' "$scrape_file" 2>/dev/null
}

svc() { echo "service=\"$1\""; }
backend() { echo "service=\"$1\",backend=\"$2\""; }
type_of() { awk -v n="$1" '$1 == "#" && $2 == "TYPE" && $3 == n { print $4 }' "$scrape_file"; }

# --- lab and director ------------------------------------------------------------------------
lab_up
director_config "$src_dir/config/examples/lab.yaml" "$config" "$metrics_port"
if ! director_up "$config"; then
  not_ok "director installed its nft table within 10 s"
  finish
fi
ok "director running"
if ! wait_for 50 director_scrape; then
  not_ok "GET http://127.0.0.1:$metrics_port/metrics answers 200 inside ${P}dir"
  finish
fi
ok "GET http://127.0.0.1:$metrics_port/metrics answers 200 inside ${P}dir"
check "Content-Type is Prometheus text (text/plain)" \
  grep -qi '^content-type: text/plain' "$scrape_file.headers"
check "before any traffic: lvs_backend_connections_total 0 for rs1" \
  [ "$(metric lvs_backend_connections_total "$(backend "$TCP_SVC" 10.200.0.11:80)")" == 0 ]

# --- real traffic ----------------------------------------------------------------------------
bodies=$(lab_http_burst $N)
udp=$(lab_udp_flows 6)
rs1=$(count_of rs1 "$bodies") rs2=$(count_of rs2 "$bodies") rs3=$(count_of rs3 "$bodies")
echo "     http $N connections: rs1=$rs1 rs2=$rs2 rs3=$rs3; udp: $(tr '\n' ' ' <<<"$udp")"
check "all $N HTTP requests answered" [ $((rs1 + rs2 + rs3)) -eq $N ]
check "the scrape shows $N TCP connections within 5 s" \
  wait_metric lvs_service_connections_total "$(svc "$TCP_SVC")" $N
# Every family from a publication after all the traffic (one publication holds them all): the
# UDP flows came last, so poll until their 6 connections show.
wait_metric lvs_service_connections_total "$(svc "$UDP_SVC")" 6 ||
  echo "     (the UDP service's 6 connections did not show within 5 s)"
director_scrape || not_ok "scrape after the traffic"
grep '^lvs_' "$scrape_file" | sed 's/^/     /'

for i in 1 2 3; do
  want=$(count_of "rs$i" "$bodies")
  got=$(metric lvs_backend_connections_total "$(backend "$TCP_SVC" "10.200.0.1$i:80")")
  check "lvs_backend_connections_total rs$i:80 = $want answers counted at the client (got $got)" \
    [ "$got" == "$want" ]
  want=$(count_of "rs$i" "$udp")
  got=$(metric lvs_backend_connections_total "$(backend "$UDP_SVC" "10.200.0.1$i:9000")")
  check "lvs_backend_connections_total rs$i:9000 = $want UDP answers (got $got)" [ "$got" == "$want" ]
  check "lvs_backend_up 1 for rs$i:80" \
    [ "$(metric lvs_backend_up "$(backend "$TCP_SVC" "10.200.0.1$i:80")")" == 1 ]
  check "lvs_backend_up 1 for rs$i:9000" \
    [ "$(metric lvs_backend_up "$(backend "$UDP_SVC" "10.200.0.1$i:9000")")" == 1 ]
  check "lvs_backend_weight rs$i:80 = $((4 - i))" \
    [ "$(metric lvs_backend_weight "$(backend "$TCP_SVC" "10.200.0.1$i:80")")" == $((4 - i)) ]
  check "lvs_neighbour_state 10.200.0.1$i PERMANENT" \
    [ "$(metric lvs_neighbour_state "ip=\"10.200.0.1$i\",state=\"PERMANENT\"")" == 1 ]
done
sum=$(awk -v p="lvs_backend_connections_total{service=\"$TCP_SVC\"," 'index($1, p) == 1 { s += $2 } END { print s + 0 }' "$scrape_file")
check "lvs_backend_connections_total over the TCP backends sums to $N (got $sum)" [ "$sum" -eq $N ]
check "lvs_service_connections_total udp = 6" \
  [ "$(metric lvs_service_connections_total "$(svc "$UDP_SVC")")" == 6 ]
tcp_pkts=$(metric lvs_service_packets_total "$(svc "$TCP_SVC")")
check_expr "lvs_service_packets_total tcp > $N (got $tcp_pkts)" '[ "${tcp_pkts:-0}" -gt $N ]'
bpkts=$(awk -v p="lvs_backend_packets_total{service=\"$TCP_SVC\"," 'index($1, p) == 1 { s += $2 } END { print s + 0 }' "$scrape_file")
check "lvs_backend_packets_total sums to the service's packets ($bpkts)" [ "$bpkts" == "$tcp_pkts" ]
tcp_bytes=$(metric lvs_service_bytes_total "$(svc "$TCP_SVC")")
check_expr "lvs_service_bytes_total tcp >= 40 bytes per packet (got $tcp_bytes)" \
  '[ "${tcp_bytes:-0}" -ge $((tcp_pkts * 40)) ]'
check "lvs_scheduler_no_dest_total tcp = 0" \
  [ "$(metric lvs_scheduler_no_dest_total "$(svc "$TCP_SVC")")" == 0 ]
queue_pkts=$(metric lvs_queue_packets_total 'queue="0"')
check_expr "lvs_queue_packets_total{queue=\"0\"} >= the service packets (got $queue_pkts)" \
  '[ "${queue_pkts:-0}" -gt 0 ] && [ "$queue_pkts" -ge "$tcp_pkts" ]'
check "lvs_queue_dropped_total queue 0 queue_full = 0" \
  [ "$(metric lvs_queue_dropped_total 'queue="0",reason="queue_full"')" == 0 ]
check "lvs_queue_dropped_total queue 0 socket_full = 0" \
  [ "$(metric lvs_queue_dropped_total 'queue="0",reason="socket_full"')" == 0 ]
# The three PERMANENT real servers, plus the client: its ARP request for the VIP creates a
# STALE entry for it, as Linux's arp_process() does for a request to one of our addresses.
entries=$(metric lvs_neighbour_entries)
check_expr "lvs_neighbour_entries 3 real servers (+ the client: got $entries)" \
  '[ "$entries" == 3 ] || { [ "$entries" == 4 ] && [ "$(metric lvs_neighbour_state "ip=\"10.200.0.10\",state=\"STALE\"")" == 1 ]; }'
hits=$(metric lvs_neighbour_hits_total)
check_expr "lvs_neighbour_hits_total counts the packet path's lookups (got $hits)" \
  '[ "${hits:-0}" -gt 0 ] && [ "$hits" == "$(metric lvs_neighbour_lookups_total)" ]'
missing=""
for reason in truncated not_ipv4 bad_header_length bad_total_length bad_checksum \
  unsupported_protocol fragment truncated_l4 bad_tcp_header_length bad_udp_length \
  no_service no_destination neighbour_unresolved send_no_buffer_space send_message_too_long \
  send_interface_down send_other queue_receive_error queue_malformed queue_netlink_error \
  queue_verdict_error; do
  metric lvs_forward_errors_total "reason=\"$reason\"" >/dev/null || missing+=" $reason"
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
for name in lvs_service_info lvs_backend_connections_active lvs_backend_connections_inactive lvs_backend_weight \
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
wait_log "reload applied" || not_ok "reload with rs3 quiesced applied"
check "after SIGHUP: lvs_backend_up 0 for the quiesced rs3:80" \
  wait_metric lvs_backend_up "$(backend "$TCP_SVC" 10.200.0.13:80)" 0
check "after SIGHUP: lvs_backend_weight 0 for rs3:80" \
  [ "$(metric lvs_backend_weight "$(backend "$TCP_SVC" 10.200.0.13:80)")" == 0 ]
check "after SIGHUP: rs1:80 still up" \
  [ "$(metric lvs_backend_up "$(backend "$TCP_SVC" 10.200.0.11:80)")" == 1 ]
# No retry: no answer is what is expected, and each datagram again would count again.
udp=$(LAB_RETRIES=0 lab_udp_flows 2)
check_expr "UDP with every server quiesced: no answers" '! grep -q "^rs" <<<"$udp"'
check "lvs_scheduler_no_dest_total udp counts the 2 unscheduled flows" \
  wait_metric lvs_scheduler_no_dest_total "$(svc "$UDP_SVC")" 2
check "lvs_forward_errors_total{reason=\"no_destination\"} counts them too" \
  [ "$(metric lvs_forward_errors_total 'reason="no_destination"')" -ge 2 ]

# --- a second director with the metrics port taken --------------------------------------------
# Queue 1 and its own socket, so only the metrics address collides.
sed -e 's/queue: 0/queue: 1/' -e "s|$sock|$tmp/second.sock|" "$config" >"$tmp/second.yaml"
rc=0
out=$(ip netns exec "${P}dir" timeout 10 "$director_bin" --config "$tmp/second.yaml" 2>&1) || rc=$?
echo "     second director: exit $rc: $(grep -m1 metrics <<<"$out")"
check_expr "metrics port taken: exit 1, one line naming 127.0.0.1:$metrics_port" \
  '[ "$rc" -eq 1 ] && grep -q "metrics: cannot listen on 127.0.0.1:$metrics_port: Address already in use" <<<"$out"'
check "the refused start left the running director serving metrics" director_scrape

# --- SIGTERM ---------------------------------------------------------------------------------
director_term
check "SIGTERM: director exited 0 (got $director_status)" [ "$director_status" -eq 0 ]
check "after exit the metrics port is closed" bash -c "! ip netns exec ${P}dir curl -s -m 2 http://127.0.0.1:$metrics_port/metrics >/dev/null"
check "no sanitizer report in the director's log (sanitized builds)" no_sanitizer_report "$log"

finish
