#!/usr/bin/env bash
# The director's packet path end to end on the real kernel (issue 4, items 3-5): lab.sh up, the
# real lvs-director in lvs-dir with config/examples/lab.yaml (a copy, so SIGHUP can be tested),
# then real clients in lvs-client:
#   - 60 new HTTP connections under wlc 3:2:1: all answered, by every server, rs1 most, rs3 least
#   - UDP 9000 under wrr 3:2:1: six new flows land exactly 3/2/1
#   - direct routing: bridge counters in lvs-sw show every client packet to the VIP forwarded
#     exactly once to a real server's MAC, replies from the real servers straight to the client,
#     and no TCP frame from the director to the client; 1 MiB downloads leave the director's
#     eth0 TX byte counter far below what the client received
#   - SIGHUP with a broken file: rejected with its error, still serving
#   - SIGHUP with the scheduler changed to rr: applied; 60 connections split exactly 20/20/20
#   - SIGTERM: exit 0, no lvs_director table left
#   - start-up refusals (no such interface, queue taken): exit 1, one line
#   - vip-mode managed (after SIGTERM): starts with the lab's VIP already on eth0 (adopted after
#     duplicate address detection), serves, and removes the VIP on SIGTERM
#     (tests/lab/managed_vip_test.sh covers managed mode in full)
#
#   bash tests/lab/forward_test.sh BIN_DIR SOURCE_DIR       (as ctest runs it)
#
# Every packet is sent from lvs-client to addresses inside the lab. Exit 77 (skipped) when not
# root, unless CI=true. LVS_LAB_PREFIX runs it on a private copy of the lab.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

lab_director_test "$@"

readonly VIP=$LAB_VIP
readonly MAC_CLIENT=02:00:00:00:00:0a MAC_DIR=02:00:00:00:00:02
readonly MACS_RS="02:00:00:00:00:0b, 02:00:00:00:00:0c, 02:00:00:00:00:0d"
config=$tmp/director.yaml

# Bridge counters in the lab switch: who sends what to whom across the segment. Counted at
# prerouting (once per frame as it enters the bridge): the forward hook would count a flooded
# frame (a destination MAC the bridge has not learnt yet) once per output port.
install_bridge_counters() {
  in_ns sw nft -f - <<NFT
table bridge forward_test {
  counter client_to_vip {}
  counter dir_to_rs {}
  counter dir_to_client_tcp {}
  counter rs_to_client {}
  chain forward {
    type filter hook prerouting priority 0; policy accept;
    ether saddr $MAC_CLIENT ether daddr $MAC_DIR ip daddr $VIP counter name "client_to_vip"
    ether saddr $MAC_DIR ether daddr { $MACS_RS } ip daddr $VIP counter name "dir_to_rs"
    ether saddr $MAC_DIR ether daddr $MAC_CLIENT ip protocol tcp counter name "dir_to_client_tcp"
    ether saddr { $MACS_RS } ether daddr $MAC_CLIENT ip saddr $VIP counter name "rs_to_client"
  }
}
NFT
}
counter_packets() {
  in_ns sw nft list counter bridge forward_test "$1" | grep -o 'packets [0-9]*' | cut -d' ' -f2
}
link_stat() {  # link_stat NS tx|rx bytes|packets
  local col
  case $2-$3 in tx-bytes) col=tx_bytes ;; rx-bytes) col=rx_bytes ;; tx-packets) col=tx_packets ;; *) col=rx_packets ;; esac
  in_ns "$1" cat "/sys/class/net/eth0/statistics/$col"
}

# --- lab and director ------------------------------------------------------------------------
lab_up
# A private control socket: the stock /run/lvs/director.sock may belong to another director.
director_config "$src_dir/config/examples/lab.yaml" "$config"
if ! director_up "$config"; then
  not_ok "director installed its nft table within 10 s"
  finish
fi
ok "director running, table ip lvs_director installed"
check "start-up log names the queue encoding and the NFQUEUE" \
  grep -q "NFQUEUE 0" "$log"
install_bridge_counters || { not_ok "bridge counters installed"; finish; }

# --- start-up refusals: exit 1 with one line saying why, nothing touched ---------------------
refuse() {  # refuse CONFIG PATTERN: a second director with CONFIG exits 1 naming PATTERN
  local out rc=0
  out=$(ip netns exec "${P}dir" timeout 10 "$director_bin" --config "$1" 2>&1) || rc=$?
  [ "$rc" -eq 1 ] && grep -q -- "$2" <<<"$out" && [ "$(grep -c "cannot start" <<<"$out")" -eq 1 ]
}
sed 's/interface: eth0/interface: eth9/' "$config" >"$tmp/eth9.yaml"
sed 's/vip-mode: external/vip-mode: managed/' "$config" >"$tmp/managed.yaml"
check "start-up refused: no such interface (exit 1, names eth9)" refuse "$tmp/eth9.yaml" "eth9"
check "start-up refused: queue 0 already bound by the running director" \
  refuse "$config" "queue 0: bind refused"
check "the refused starts left the running director and its table alone" \
  bash -c "kill -0 $director_pid && ip netns exec ${P}dir nft list table ip lvs_director >/dev/null"

# --- wlc 3:2:1, sequential connections -------------------------------------------------------
tx_before=$(link_stat dir tx packets)
first_port=$(cat "$LAB_STATE/next-tcp-port")
bodies=$(lab_http_burst 60)
tx_after=$(link_stat dir tx packets)
echo "     wlc 60 connections: $(tally <<<"$bodies")"
rs1=$(count_of rs1 "$bodies") rs2=$(count_of rs2 "$bodies") rs3=$(count_of rs3 "$bodies")
check "wlc: all 60 requests answered by a real server" [ $((rs1 + rs2 + rs3)) -eq 60 ]
check_expr "wlc: every real server got connections" \
  '[ "$rs1" -ge 1 ] && [ "$rs2" -ge 1 ] && [ "$rs3" -ge 1 ]'
# Sequential connections go inactive (FIN_WAIT) before the next SYN, so wlc spreads them by
# inactive count over weight: ~30/20/10.
check_expr "wlc: rs1 (weight 3) > rs2 (weight 2) > rs3 (weight 1)" \
  '[ "$rs1" -gt "$rs2" ] && [ "$rs2" -gt "$rs3" ]'
# The same workload offline: `lvsadm simulate` runs the daemon's own scheduler and connection
# table code, so the real sequence must match it server for server.
if [[ -x $bin_dir/lvsadm ]]; then
  for i in $(seq 60); do echo "new $LAB_CLIENT:$((first_port + i - 1))"; echo "fin $i"; done >"$tmp/events"
  expected=$("$bin_dir/lvsadm" simulate --config "$config" --events "$tmp/events" |
    sed -e 's/^10.200.0.11:80$/rs1/' -e 's/^10.200.0.12:80$/rs2/' -e 's/^10.200.0.13:80$/rs3/')
  check "wlc: the real sequence of servers equals lvsadm simulate's for 60 new+fin" \
    [ "$expected" == "$bodies" ]
fi

client_pkts=$(counter_packets client_to_vip)
fwd_pkts=$(counter_packets dir_to_rs)
echo "     client->VIP frames $client_pkts, director->real server frames $fwd_pkts, director eth0 TX +$((tx_after - tx_before))"
check_expr "every client packet to the VIP forwarded exactly once to a real server MAC" \
  '[ "$client_pkts" -gt 0 ] && [ "$client_pkts" -eq "$fwd_pkts" ]'
tx_delta=$((tx_after - tx_before))
# A few more than forwarded: the director's ARP replies for the VIP.
check_expr "director eth0 TX grew by about one frame per client packet" \
  '[ "$tx_delta" -ge "$fwd_pkts" ] && [ "$tx_delta" -le $((fwd_pkts + 10)) ]'
check "replies come from the real servers (source VIP) straight to the client" \
  [ "$(counter_packets rs_to_client)" -gt 0 ]
check "the director sent no TCP frame to the client" [ "$(counter_packets dir_to_client_tcp)" -eq 0 ]

# --- bulk: the return traffic bypasses the director ------------------------------------------
dir_tx0=$(link_stat dir tx bytes)
cli_rx0=$(link_stat client rx bytes)
got=$(for i in 1 2 3; do lab_http_get "http://$VIP/1m" -m 10 -o /dev/null -w '%{size_download}'; done |
  awk '{s += $1} END {print s + 0}')
dir_tx=$(($(link_stat dir tx bytes) - dir_tx0))
cli_rx=$(($(link_stat client rx bytes) - cli_rx0))
echo "     3 x 1 MiB: client received $cli_rx bytes on eth0, director transmitted $dir_tx"
check "bulk: 3 MiB downloaded through the VIP" [ "$got" -eq $((3 * 1048576)) ]
check "bulk: director TX is under 10% of what the client received (no return traffic)" \
  [ $((dir_tx * 10)) -lt "$cli_rx" ]

# --- UDP -------------------------------------------------------------------------------------
udp=$(lab_udp_flows 6)
echo "     udp 6 flows: $(tally <<<"$udp")"
check_expr "udp: wrr 3:2:1 over six new flows is exactly 3/2/1" \
  '[ "$(count_of rs1 "$udp")" -eq 3 ] && [ "$(count_of rs2 "$udp")" -eq 2 ] && [ "$(count_of rs3 "$udp")" -eq 1 ]'

# --- SIGHUP with a broken file ---------------------------------------------------------------
cp "$config" "$tmp/good.yaml"
printf 'director:\n  interface: eth0\n  queue: zero\nservices: [\n' >"$config"
kill -HUP "$director_pid"
check "SIGHUP with a broken file: rejected, running configuration kept" \
  wait_log "reload rejected"
check "the rejection names the file" grep -q "director.yaml:" "$log"
bodies=$(lab_http_burst 10)
check "still serving after the rejected reload (10/10)" [ "$(answered "$bodies")" -eq 10 ]
check "director still running" director_running

# --- SIGHUP: wlc -> rr ------------------------------------------------------------------------
sed 's/scheduler: wlc/scheduler: rr/' "$tmp/good.yaml" >"$config"
kill -HUP "$director_pid"
check "SIGHUP with the scheduler changed: applied as -E" wait_log "-E -t $VIP:80 -s rr"
wait_log "reload applied" || true
bodies=$(lab_http_burst 60)
echo "     rr 60 connections: $(tally <<<"$bodies")"
check_expr "rr: exactly 20/20/20" \
  '[ "$(count_of rs1 "$bodies")" -eq 20 ] && [ "$(count_of rs2 "$bodies")" -eq 20 ] && [ "$(count_of rs3 "$bodies")" -eq 20 ]'
check "nft table still present after the reloads" director_table_present

# --- SIGTERM ---------------------------------------------------------------------------------
director_term
check "SIGTERM: director exited 0 (got $director_status)" [ "$director_status" -eq 0 ]
check "SIGTERM: no lvs_director table left" bash -c "! ip netns exec ${P}dir nft list ruleset | grep -q lvs_director"
check "no packet dropped for lack of a neighbour or a send error" \
  bash -c "! grep -E 'neighbour_unresolved|send_' '$log'"

# --- vip-mode managed: a successful start ----------------------------------------------------
# The lab put the VIP on eth0: managed mode probes it (nobody else answers), adopts it, serves,
# and removes it at exit.
director_start "$tmp/managed.yaml" "$tmp/managed.log"
if director_wait_up 150; then
  check "vip-mode managed: started, the lab's VIP adopted" grep -q "$VIP/32 was already on (adopted" "$tmp/managed.log"
  bodies=$(lab_http_burst 6)
  check "vip-mode managed: 6/6 requests answered" [ "$(answered "$bodies")" -eq 6 ]
  director_term
  check "vip-mode managed: SIGTERM exits 0 (got $director_status) and removes the VIP" \
    bash -c "[ $director_status -eq 0 ] && ! ip netns exec ${P}dir ip -4 -o addr show dev eth0 | grep -q ' $VIP/32 '"
else
  not_ok "vip-mode managed: director started within 15 s"
  cat "$tmp/managed.log"
fi

check "no sanitizer report in the director's log (sanitized builds)" no_sanitizer_report "$log"

finish
