#!/usr/bin/env bash
# The director's own ARP resolver on real packets (issue 5, items 2-4 and their tests in 7):
# lab.sh up, the real lvs-director with a configuration WITHOUT any `mac:` line (so every real
# server must be learned by ARP) and short neighbour timers, then real clients:
#   - the very first packets to unresolved servers are queued and delivered after resolution,
#     not lost: the first UDP datagram is answered; the first HTTP connection to each server
#     completes well under the 1 s SYN retransmission timeout
#   - the director learns all three real servers (lvs_neighbour_state) and rr splits 30
#     connections 10/10/10
#   - rs1's link down: its entry goes FAILED (log, lvs_neighbour_state, res_failed), rs1 is a
#     dead host (log, lvs_backend_up 0, `lvsadm -Ln` marks it "dead"), and new connections go
#     only to rs2/rs3; with the link back up, rs1 answers the periodic re-resolution and returns
#     to rotation
#   - rs2's MAC changed: detected when rs2 next sends ARP (log with old and new MAC, counted in
#     lvs_neighbour_lladdr_changes_total) and traffic follows the new MAC (bridge counter)
#
#   bash tests/lab/arp_test.sh BIN_DIR SOURCE_DIR       (as ctest runs it)
#
# Every packet is sent from lab namespaces to addresses inside the lab. Exit 77 (skipped) when
# not root, unless CI=true. LVS_LAB_PREFIX runs it on a private copy of the lab;
# LVS_ARP_TEST_METRICS_PORT picks the metrics port (default 9484).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

lab_director_test "$@"

readonly VIP=$LAB_VIP
readonly MAC_DIR=02:00:00:00:00:02
readonly MAC_RS2_NEW=02:00:00:00:00:1c
metrics_port=${LVS_ARP_TEST_METRICS_PORT:-9484}
config=$tmp/director.yaml

# --- lab and director ------------------------------------------------------------------------
lab_up
# No `mac:` anywhere: every real server is learned by ARP. Short timers (Linux's names): an entry
# is REACHABLE for 1-3 s, DELAY lasts 1 s, probes go 300 ms apart, so a dead server is FAILED
# about 5 s after it is next used.
cat >"$config" <<YAML
director:
  interface: eth0
  queue: 0
  control-socket: $sock
  metrics: 127.0.0.1:$metrics_port
  vip-mode: external
  neighbour: {base-reachable-time-ms: 2000, delay-first-probe-time-s: 1, retrans-time-ms: 300}
services:
  - tcp-service: $VIP:80
    scheduler: rr
    real-servers:
      - {real-server: 10.200.0.11:80}
      - {real-server: 10.200.0.12:80}
      - {real-server: 10.200.0.13:80}
  - udp-service: $VIP:9000
    scheduler: rr
    real-servers:
      - {real-server: 10.200.0.11:9000}
      - {real-server: 10.200.0.12:9000}
      - {real-server: 10.200.0.13:9000}
YAML
if ! director_up "$config"; then
  not_ok "director installed its nft table within 10 s"
  finish
fi
ok "director running without any mac: line"
# Polled: the endpoint has nothing to show before the first once-a-second publication.
check "no neighbour entry before the first packet" wait_for 30 no_metric 'lvs_neighbour_state{'

# --- the first packet to an unresolved server is queued, then delivered ----------------------
# No retry: the first datagram itself is the subject.
udp=$(LAB_RETRIES=0 lab_udp_flows 1)
check "the first UDP datagram (to an unresolved server) is answered (got '$udp')" \
  grep -qx 'rs[123]' <<<"$udp"
# rr sends the first three HTTP connections to the three servers in turn: at least two of them
# are still unresolved, so their SYN waits for ARP. A lost SYN would cost curl the 1 s SYN
# retransmission timeout. No retry (a measurement of the first attempt), kernel-chosen ports.
times=$(in_ns client bash -c 'for i in 1 2 3; do curl -s -o /dev/null -m 3 -w "%{time_connect} %{http_code}\n" http://'"$VIP"'/; done')
echo "     first connections (connect seconds, status): $(tr '\n' ';' <<<"$times")"
check_expr "the first SYN to each server is delivered after resolution (connect < 0.9 s, 200)" \
  '[ "$(awk '"'"'$1 < 0.9 && $2 == 200'"'"' <<<"$times" | wc -l)" -eq 3 ]'
check "the queued packets were sent on resolution (log)" log_has "queued packet(s) sent"

# --- all three learned; rr 10/10/10 ----------------------------------------------------------
bodies=$(lab_http_burst 30)
echo "     rr 30 connections: $(tally <<<"$bodies")"
check_expr "rr over learned servers: exactly 10/10/10" \
  '[ "$(count_of rs1 "$bodies")" -eq 10 ] && [ "$(count_of rs2 "$bodies")" -eq 10 ] && [ "$(count_of rs3 "$bodies")" -eq 10 ]'
# Metrics are published once a second: poll (up to 5 s) for the publication after the traffic.
for ip in 10.200.0.11 10.200.0.12 10.200.0.13; do
  check "learned $ip (lvs_neighbour_state in a usable state)" \
    wait_for 50 has_metric_re "lvs_neighbour_state\{ip=\"$ip\",state=\"(REACHABLE|STALE|DELAY|PROBE)\"\} 1"
done
check "lvs_neighbour_arp_errors_total exported by reason, no frame refused" \
  wait_for 50 has_metric 'lvs_neighbour_arp_errors_total{reason="truncated"} 0'
check "learned MACs are the lab's (log)" \
  bash -c "grep -q '10.200.0.11 resolved to 02:00:00:00:00:0b' '$log' && grep -q '10.200.0.12 resolved to 02:00:00:00:00:0c' '$log' && grep -q '10.200.0.13 resolved to 02:00:00:00:00:0d' '$log'"

# --- rs1's link down: FAILED, dead host, no new connections ----------------------------------
in_ns rs1 ip link set eth0 down
# Traffic keeps using rs1's entry, so it goes STALE -> DELAY -> PROBE -> FAILED.
for _ in $(seq 20); do
  log_has "10.200.0.11 FAILED" && break
  LAB_RETRIES=0 lab_http_burst 3 >/dev/null  # traffic to keep rs1's entry in use; no answer expected
done
check "rs1's entry went FAILED (log)" log_has "neigh 10.200.0.11 FAILED"
check "rs1 marked dead (log)" log_has "real server 10.200.0.11:80 marked dead"
# Every 5 s the dead host is asked again (INCOMPLETE for ~1 s, then FAILED once more): up to 8 s
# covers one such round plus the once-a-second metrics publication.
check "lvs_neighbour_state shows rs1 FAILED" \
  wait_for 80 has_metric 'lvs_neighbour_state{ip="10.200.0.11",state="FAILED"} 1'
check "lvs_backend_up is 0 for rs1" \
  wait_for 50 has_metric 'lvs_backend_up{service="tcp/10.200.0.100:80",backend="10.200.0.11:80"} 0'
check "lvs_neighbour_res_failed_total counted it" wait_for 50 metric_at_least lvs_neighbour_res_failed_total 1
if [[ -x $lvsadm_bin ]]; then
  listing=$("$lvsadm_bin" --socket "$sock" -Ln 2>&1 || true)
  check "lvsadm -Ln marks rs1 dead and only rs1" \
    bash -c "grep -E '^  -> 10.200.0.11:80 +Route .* dead$' <<<'$listing' >/dev/null && [ \$(grep -c ' dead$' <<<'$listing') -eq 2 ]"
fi
bodies=$(lab_http_burst 20)
echo "     rs1 dead, 20 connections: $(tally <<<"$bodies")"
check_expr "while rs1 is dead all 20 new connections go to rs2/rs3 and are answered" \
  '[ "$(count_of rs1 "$bodies")" -eq 0 ] && [ $(($(count_of rs2 "$bodies") + $(count_of rs3 "$bodies"))) -eq 20 ]'

# --- rs1 back: re-resolved, back in rotation -------------------------------------------------
in_ns rs1 ip link set eth0 up
wait_for 150 log_has "neigh 10.200.0.11 lladdr 02:00:00:00:00:0b answers again"
check "rs1 answers the periodic re-resolution (log)" log_has "10.200.0.11 lladdr 02:00:00:00:00:0b answers again"
check "rs1 alive again (log)" log_has "real server 10.200.0.11:80 alive again"
bodies=$(lab_http_burst 30)
echo "     rs1 back, 30 connections: $(tally <<<"$bodies")"
check_expr "rs1 back in rotation: 10/10/10" \
  '[ "$(count_of rs1 "$bodies")" -eq 10 ] && [ "$(count_of rs2 "$bodies")" -eq 10 ] && [ "$(count_of rs3 "$bodies")" -eq 10 ]'

# --- rs2 changes its MAC ---------------------------------------------------------------------
in_ns sw nft -f - <<NFT
table bridge arp_test {
  counter dir_to_rs2_new {}
  chain pre {
    type filter hook prerouting priority 0; policy accept;
    ether saddr $MAC_DIR ether daddr $MAC_RS2_NEW ip daddr $VIP counter name "dir_to_rs2_new"
  }
}
NFT
in_ns rs2 ip link set eth0 address $MAC_RS2_NEW
sleep 1.1  # past locktime since the entry's last update
# rs2 speaks ARP with its new MAC: its kernel, having forgotten the director, asks for it.
in_ns rs2 ip neigh flush dev eth0
in_ns rs2 ping -c 1 -W 1 10.200.0.2 >/dev/null 2>&1 || true
wait_for 30 log_has "neigh 10.200.0.12 changed ethernet address 02:00:00:00:00:0c -> $MAC_RS2_NEW"
check "rs2's MAC change logged with old and new MAC" \
  log_has "neigh 10.200.0.12 changed ethernet address 02:00:00:00:00:0c -> $MAC_RS2_NEW"
check "lvs_neighbour_lladdr_changes_total counted it" \
  wait_for 50 metric_at_least lvs_neighbour_lladdr_changes_total 1
bodies=$(lab_http_burst 30)
echo "     rs2 on its new MAC, 30 connections: $(tally <<<"$bodies")"
check_expr "traffic follows rs2's new MAC: 10/10/10" \
  '[ "$(count_of rs1 "$bodies")" -eq 10 ] && [ "$(count_of rs2 "$bodies")" -eq 10 ] && [ "$(count_of rs3 "$bodies")" -eq 10 ]'
new_frames=$(in_ns sw nft list counter bridge arp_test dir_to_rs2_new | grep -o 'packets [0-9]*' | cut -d' ' -f2)
check_expr "the director's frames for rs2 go to $MAC_RS2_NEW ($new_frames frames)" '[ "${new_frames:-0}" -gt 0 ]'

# --- clean exit ------------------------------------------------------------------------------
director_term
check "SIGTERM: director exited 0 (got $director_status)" [ "$director_status" -eq 0 ]
check "the exit counters show ARP sent and received" grep -qE 'arp received [1-9][0-9]* sent [1-9]' "$log"
check "no sanitizer report in the director's log (sanitized builds)" no_sanitizer_report "$log"
finish
