#!/usr/bin/env bash
# The director's ARP resolver under attack (issue 12, findings 4-6; deliverable 3): lab.sh up,
# an attacker namespace on the director's segment, the real lvs-director learning rs1 and rs2 by
# ARP (rs3 is PERMANENT from `mac:`), HTTP requests from the client the whole time (new
# connections, no retries: a request without an answer is lost), and from the attacker
# (tests/tools/arp_flood, frames from the director's own codec):
#   (a) 100k, then 200k, broadcast "who-has 10.200.0.2" from distinct spoofed senders (each frame
#       a new IP and MAC): no neighbour entry is created for them (lvs_neighbour_entries stays at
#       the three real servers; lvs_neighbour_unwanted_arp_total counts them), no real server is
#       marked dead, no request is lost
#   (b) 200k unicast replies "10.200.0.12 is-at <attacker MAC>" (rs2, learned): rs2's entry keeps
#       its MAC (the change check probes the old MAC, rs2 answers, the change is rejected and
#       counted), not one IPv4 frame reaches the attacker's MAC (counted on the attacker's own
#       ingress), no request is lost, and the log stays bounded (rate-limited warnings with a
#       "messages suppressed" count)
#   (c) the same for rs3, PERMANENT (`mac:`): every reply is a spoof warning (one log line each
#       on the old director): the log stays bounded
# Each phase prints the rate achieved, the table size and the counters.
#
#   bash tests/lab/arp_attack_test.sh BIN_DIR SOURCE_DIR       (as ctest runs it)
#
# The generator is BIN_DIR/../tests/arp_flood (LVS_ARP_FLOOD overrides, e.g. to run this test
# against another build's director). Every packet is sent from lab namespaces (the attacker's is
# this test's, removed on exit) to addresses inside the lab. Exit 77 (skipped) when not root,
# unless CI=true. LVS_LAB_PREFIX runs it on a private copy of the lab;
# LVS_ARP_ATTACK_TEST_METRICS_PORT picks the metrics port (default 9487).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

lab_director_test "$@"
flood_bin=${LVS_ARP_FLOOD:-$bin_dir/../tests/arp_flood}
lab_require_built "$flood_bin"

readonly VIP=$LAB_VIP
readonly DIR_IP=10.200.0.2
readonly MAC_DIR=02:00:00:00:00:02
readonly RS2=10.200.0.12
readonly MAC_RS2=02:00:00:00:00:0c
readonly RS3=10.200.0.13
readonly MAC_RS3=02:00:00:00:00:0d
readonly ATT_IP=10.200.0.66
readonly MAC_ATT=02:00:00:00:00:66
readonly ATT_NS=${P}att
metrics_port=${LVS_ARP_ATTACK_TEST_METRICS_PORT:-9487}
config=$tmp/director.yaml
client_pid=""

lab_on_exit() {
  [[ -n $client_pid ]] && stop_pid "$client_pid"
  ip netns del "$ATT_NS" 2>/dev/null || true
}

# --- lab, attacker and director --------------------------------------------------------------
lab_up
ip netns del "$ATT_NS" 2>/dev/null || true
ip netns add "$ATT_NS"
ip -n "$ATT_NS" link set lo up
in_ns att sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
# As lab.sh links every host: created from inside the switch namespace, into the attacker's.
ip -n "${P}sw" link del to-att 2>/dev/null || true
ip -n "${P}sw" link add name to-att address 02:00:00:00:01:66 type veth \
  peer name eth0 address "$MAC_ATT" netns "$ATT_NS"
ip -n "${P}sw" link set dev to-att master br0 up
ip -n "$ATT_NS" addr add "$ATT_IP/24" dev eth0
ip -n "$ATT_NS" link set eth0 up
# The lab's namespaces share one kernel, and the kernel's ARP table (arp_tbl) is one table for
# all of them: gc_thresh3 counts every namespace's entries. The director namespace's kernel
# (which answers who-has for 10.200.0.2 and the VIP, not the daemon under test) would cache every
# spoofed sender (neigh_event_ns()) and fill it, and then the real servers' kernels, unable to
# create an entry for the director, stop answering its ARP probes (arp_process() replies only
# when neigh_event_ns() succeeds): a lab artefact, since separate hosts have separate tables.
# So the director namespace's kernel drops ARP requests from outside the lab's subnet at its
# arp input hook; the daemon's AF_PACKET socket has its copy before that hook, so the resolver
# under test still sees every frame (the unwanted_arp counter below checks it).
in_ns dir nft -f - <<NFT
table arp arp_attack_lab {
  chain input {
    type filter hook input priority 0; policy accept;
    arp operation request arp saddr ip != 10.200.0.0/24 counter drop
  }
}
NFT
# What reaches the attacker addressed to its own MAC, counted at its ingress: IPv4 (the
# director's forwarded requests, had it believed the forged replies) and ARP (for the report).
in_ns att nft -f - <<NFT
table netdev arp_attack {
  counter ipv4_to_attacker {}
  counter arp_to_attacker {}
  chain ingress {
    type filter hook ingress device "eth0" priority 0; policy accept;
    ether daddr $MAC_ATT ether type ip counter name "ipv4_to_attacker"
    ether daddr $MAC_ATT ether type arp counter name "arp_to_attacker"
  }
}
NFT
attacker_count() {
  in_ns att nft list counter netdev arp_attack "$1" | grep -o 'packets [0-9]*' | cut -d' ' -f2
}

# rs1 and rs2 learned by ARP, rs3 PERMANENT (`mac:`). Kernel-default neighbour timers and limits
# (gc-thresh3 1024: what the issue's floods filled).
cat >"$config" <<YAML
director:
  interface: eth0
  queue: 0
  control-socket: $sock
  metrics: 127.0.0.1:$metrics_port
  vip-mode: external
services:
  - tcp-service: $VIP:80
    scheduler: rr
    real-servers:
      - {real-server: 10.200.0.11:80}
      - {real-server: 10.200.0.12:80}
      - {real-server: 10.200.0.13:80, mac: "$MAC_RS3"}
YAML
if ! director_up "$config"; then
  not_ok "director installed its nft table within 10 s"
  finish
fi
bodies=$(lab_http_burst 30)
echo "     before any attack, 30 connections: $(tally <<<"$bodies")"
check_expr "all three real servers learned and answering: 10/10/10" \
  '[ "$(counts "$bodies")" == 10/10/10 ]'
check "lvs_neighbour_entries is 3" wait_metric lvs_neighbour_entries "" 3

# --- the client's steady stream --------------------------------------------------------------
# Sequential new connections (fresh client ports, Connection: close), 20 per curl run, until
# $tmp/stop-client exists; one "req CODE EXIT" line per request in $tmp/client.out. No retries:
# a request without an answer is a lost request.
client_stream() {
  local cfg=$tmp/stream.curl first i
  while [[ ! -e $tmp/stop-client ]]; do
    first=$(lab_next_ports tcp 20)
    for ((i = 0; i < 20; i++)); do
      [[ $i -gt 0 ]] && echo next
      printf 'url = "http://%s/"\nlocal-port = %d\nheader = "Connection: close"\n' "$VIP" $((first + i))
      printf 'connect-timeout = 3\nmax-time = 4\nsilent\noutput = "/dev/null"\n'
      printf 'write-out = "req %%{http_code} %%{exitcode}\\n"\n'
    done >"$cfg"
    in_ns client curl -K "$cfg" 2>/dev/null
  done
}
requests() {
  local n
  n=$(grep -c '^req ' "$tmp/client.out" 2>/dev/null)
  echo "${n:-0}"
}
has_requests() { [[ $(requests) -ge $1 ]]; }

# attack NAME FLOOD_ARGS...: the stream running, the flood from the attacker, 3 s more of the
# stream (a change check lasts 3 s at the default retrans-time), then the stream stopped.
# Leaves: flood_out (the generator's line), lost/total requests, log_lines (new director log
# lines), ipv4_att (IPv4 frames that reached the attacker's MAC during the phase).
attack() {
  local name=$1 log_before ipv4_before after
  shift
  [[ -n $client_pid ]] && stop_pid "$client_pid"
  rm -f "$tmp/stop-client"
  : >"$tmp/client.out"
  client_stream >"$tmp/client.out" &
  client_pid=$!
  wait_for 100 has_requests 10 || echo "     (the client stream is slow to start)"
  log_before=$(wc -l <"$log")
  ipv4_before=$(attacker_count ipv4_to_attacker)
  flood_out=$(in_ns att "$flood_bin" --interface eth0 "$@" 2>&1)
  after=$(($(requests) + 30))
  sleep 3  # the attack's aftermath is part of the measurement, not a wait for a condition
  wait_for 100 has_requests "$after" || true
  touch "$tmp/stop-client"
  wait_for 100 lab_gone "$client_pid" || stop_pid "$client_pid"
  wait "$client_pid" 2>/dev/null || true
  client_pid=""
  total=$(requests)
  lost=$(grep '^req ' "$tmp/client.out" | grep -vc '^req 200 0$' || true)
  log_lines=$(($(wc -l <"$log") - log_before))
  ipv4_att=$(($(attacker_count ipv4_to_attacker) - ipv4_before))
  director_scrape
  echo "     $name: flood $flood_out"
  echo "     $name: requests $total, lost $lost; director log +$log_lines lines;" \
    "IPv4 frames to the attacker's MAC $ipv4_att"
  echo "     $name: entries $(metric lvs_neighbour_entries) unwanted_arp" \
    "$(metric lvs_neighbour_unwanted_arp_total) table_fulls $(metric lvs_neighbour_table_fulls_total)" \
    "forced_gc_runs $(metric lvs_neighbour_forced_gc_runs_total) arp_socket_drops" \
    "$(metric lvs_neighbour_arp_socket_drops_total) change checks/probes/rejected/confirmed/refused" \
    "$(metric lvs_neighbour_lladdr_change_checks_total)/$(metric lvs_neighbour_lladdr_change_probes_total)/$(metric lvs_neighbour_lladdr_changes_rejected_total)/$(metric lvs_neighbour_lladdr_changes_confirmed_total)/$(metric lvs_neighbour_lladdr_claims_refused_total)" \
    "log_suppressed $(metric lvs_log_lines_suppressed_total)"
}
no_dead_marks() { ! log_has "marked dead"; }
all_backends_up() {
  director_scrape && [[ $(grep -c '^lvs_backend_up{.*} 1$' "$scrape_file") -eq 3 ]]
}
# The flood's frames all reached the director: received or counted as dropped at its socket.
unwanted_at_least() { metric_at_least lvs_neighbour_unwanted_arp_total "$1"; }

# --- (a) who-has floods from distinct spoofed senders (finding 4) -----------------------------
seen=0
for n in 100000 200000; do
  # Fresh spoofed senders each round: 10.100.0.1 + i, and from 10.110.0.1 for the second.
  base=10.100.0.1
  [[ $n -eq 200000 ]] && base=10.110.0.1
  attack "who-has flood ${n}" --mode request --count "$n" --target-ip "$DIR_IP" --spoof-from "$base"
  check_expr "${n} who-has: the flood was sent ($flood_out)" "[[ '$flood_out' == sent=$n\ failed=0* ]]"
  check "${n} who-has: no real server marked dead (log)" no_dead_marks
  check "${n} who-has: all three backends up" all_backends_up
  check_expr "${n} who-has: zero of $total requests lost (got $lost)" \
    '[ "$total" -gt 0 ] && [ "$lost" -eq 0 ]'
  check_expr "${n} who-has: no entry for a spoofed sender (lvs_neighbour_entries $(metric lvs_neighbour_entries))" \
    '[ "$(metric lvs_neighbour_entries)" == 3 ]'
  seen=$((seen + n))
  # Frames lost at the director's socket never reached the table; the rest were ignored.
  drops=$(metric lvs_neighbour_arp_socket_drops_total || echo 0)
  check "${n} who-has: the spoofed senders were counted as unwanted ($seen sent, ${drops:-0} dropped at the socket)" \
    wait_for 30 unwanted_at_least $((seen - ${drops:-0}))
  check_expr "${n} who-has: director log bounded (+$log_lines lines)" '[ "$log_lines" -le 20 ]'
done

# --- (b) forged unicast replies for rs2 (findings 5, 6) ---------------------------------------
attack "forged replies" --mode reply --count 200000 --sender-ip "$RS2" --target-ip "$DIR_IP" \
  --dst-mac "$MAC_DIR"
check_expr "forged replies: the flood was sent ($flood_out)" "[[ '$flood_out' == sent=200000\ failed=0* ]]"
check_expr "forged replies: not one IPv4 frame reached the attacker's MAC (got $ipv4_att)" \
  '[ "$ipv4_att" -eq 0 ]'
check_expr "forged replies: zero of $total requests lost (got $lost)" \
  '[ "$total" -gt 0 ] && [ "$lost" -eq 0 ]'
check "forged replies: no real server marked dead (log)" no_dead_marks
check "forged replies: all three backends up" all_backends_up
neigh=$("$lvsadm_bin" --socket "$sock" neigh show 2>&1 || true)
check "forged replies: rs2 still at $MAC_RS2 (lvsadm neigh show)" \
  grep -q "^$RS2 .*lladdr $MAC_RS2 " <<<"$neigh"
check "forged replies: the change was checked and rejected (counted)" \
  metric_at_least lvs_neighbour_lladdr_changes_rejected_total 1
check_expr "forged replies: no MAC change accepted (lladdr_changes $(metric lvs_neighbour_lladdr_changes_total))" \
  '[ "$(metric lvs_neighbour_lladdr_changes_total)" == 0 ]'
check "forged replies: the refused claims were counted" \
  metric_at_least lvs_neighbour_lladdr_claims_refused_total 1000
# 10 lines per 5 s, one "suppressed" line per window, a few state lines: far below 100.
check_expr "forged replies: director log bounded (+$log_lines lines for 200000 forged replies)" \
  '[ "$log_lines" -le 100 ]'
# The count is logged when the limiter's 5 s window ends (at the next line, or the flush on the
# neighbour timer): a flood shorter than the window is accounted for within ~6 s.
check "forged replies: the suppressed lines are counted in the log" \
  wait_log "messages suppressed" 100
check "forged replies: and in lvs_log_lines_suppressed_total" \
  metric_at_least lvs_log_lines_suppressed_total 1000

# --- (c) forged unicast replies for the PERMANENT rs3 (finding 5: one warning each on main) ---
attack "forged replies, PERMANENT" --mode reply --count 200000 --sender-ip "$RS3" \
  --target-ip "$DIR_IP" --dst-mac "$MAC_DIR"
check_expr "PERMANENT: not one IPv4 frame reached the attacker's MAC (got $ipv4_att)" \
  '[ "$ipv4_att" -eq 0 ]'
check_expr "PERMANENT: zero of $total requests lost (got $lost)" '[ "$total" -gt 0 ] && [ "$lost" -eq 0 ]'
neigh=$("$lvsadm_bin" --socket "$sock" neigh show 2>&1 || true)
check "PERMANENT: rs3 still PERMANENT at $MAC_RS3" \
  grep -q "^$RS3 .*lladdr $MAC_RS3 PERMANENT" <<<"$neigh"
check_expr "PERMANENT: director log bounded (+$log_lines lines for 200000 spoof warnings)" \
  '[ "$log_lines" -le 100 ]'
check "PERMANENT: no real server marked dead (log)" no_dead_marks
echo "     ARP frames that reached the attacker's MAC (the kernel's and the director's own): $(attacker_count arp_to_attacker)"

# --- clean exit ------------------------------------------------------------------------------
director_term
check "SIGTERM: director exited 0 (got $director_status)" [ "$director_status" -eq 0 ]
check "no sanitizer report in the director's log (sanitized builds)" no_sanitizer_report "$log"
finish
