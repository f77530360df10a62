#!/usr/bin/env bash
# A spoofed-source SYN flood against a director with a connection limit (issue 12, finding 8;
# deliverable 5). With `connection-limit: 20000`:
#   - three long-lived downloads (GET /1m-slow, 1 MiB at 128 KiB/s, ~8 s) start first;
#   - hping3 --flood --rand-source sends SYNs to the VIP from the client namespace for 6 s, at
#     whatever rate it reaches (reported);
#   - the downloads all complete, 1 MiB each: established flows are untouched;
#   - the table reaches the limit and stays there (lvs_connections == lvs_connection_limit ==
#     20000); at the limit each flood SYN replaces a half-open entry (IPVS drop_entry,
#     lvs_connection_evictions_total) or, with none found, is dropped
#     (lvs_forward_errors_total{reason="connection_limit"}): both counted;
#   - new HTTP connections made while the flood runs are answered (a half-open flood entry makes
#     way for each; without that the table would refuse every new client for the 60 s SYN_RECV
#     timeout);
#   - the director's RSS grows by no more than the table's bound for 20000 entries
#     (connection_table_bytes_bound(): whole 64Ki-record chunks of 56 bytes, buckets, wheel) plus
#     4 MiB for everything else; figures reported (flood rate, drops, RSS before/after);
#   - a reload (SIGHUP) raising the limit to 30000 applies it (lvs_connection_limit 30000) and the
#     table fills to it, then lowering it to 10000 removes nothing (lvs_connections stays above).
#
#   bash tests/lab/synflood_test.sh BIN_DIR SOURCE_DIR       (as ctest runs it)
#
# Every packet is sent from the client namespace to addresses inside the lab (the spoofed sources
# are never answered: nothing in the lab routes to them). Exit 77 (skipped) when not root, unless
# CI=true. LVS_LAB_PREFIX runs it on a private copy of the lab.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

lab_director_test "$@"
lab_require_tools hping3

readonly VIP=$LAB_VIP LIMIT=20000 FLOOD_S=6 DOWNLOADS=3
# connection_table_bytes_bound(20000): one 64Ki-record chunk of 56 bytes (3,670,016), buckets for
# up to 2 x bit_ceil(20000) (262,144), the wheel (16,384); plus 4 MiB of slack for the rest.
readonly TABLE_BOUND=$((3670016 + 262144 + 16384)) SLACK=$((4 * 1048576))
config=$tmp/director.yaml
metrics_port=9469
flood_pid=""
download_pids=()

lab_on_exit() {
  [[ -n $flood_pid ]] && stop_pid "$flood_pid" INT 30
  local p
  for p in "${download_pids[@]}"; do stop_pid "$p" TERM 10; done
}

rss_bytes() { awk '/^VmRSS:/ {print $2 * 1024}' "/proc/$director_pid/status"; }
with_limit() {  # with_limit N: the config with connection-limit N
  director_config "$src_dir/config/examples/lab.yaml" "$config" "$metrics_port"
  sed -i "s|^director:$|director:\n  connection-limit: $1|" "$config"
}

lab_up
with_limit $LIMIT
grep -q "connection-limit: $LIMIT" "$config" || { not_ok "config has connection-limit"; finish; }
if ! director_up "$config"; then
  not_ok "director installed its nft table within 10 s"
  finish
fi
ok "director running with connection-limit $LIMIT"
check "lvs_connection_limit $LIMIT" wait_metric lvs_connection_limit "" $LIMIT
# A few requests first, so the steady state (neighbours, buffers) is in the baseline.
check "the VIP answers before the flood" [ "$(answered "$(lab_http_burst 5)")" -eq 5 ]
rss_before=$(rss_bytes)

# --- long-lived flows, then the flood --------------------------------------------------------
for i in $(seq $DOWNLOADS); do
  in_ns client curl -s -m 60 -o /dev/null -w '%{size_download} %{http_code}\n' \
    "http://$VIP/1m-slow" >"$tmp/download.$i" 2>&1 &
  download_pids+=($!)
done
# The downloads are established once the table holds their connections.
check "the $DOWNLOADS downloads are established" wait_metric lvs_connections "" $((5 + DOWNLOADS)) 50

queued_before=$(metric_now lvs_queue_packets_total 'queue="0"')
in_ns client timeout -s INT $FLOOD_S hping3 -S -p 80 --flood --rand-source "$VIP" \
  >"$tmp/hping.out" 2>&1 &
flood_pid=$!
peak=0
during=""
while lab_running "$flood_pid"; do
  c=$(metric_now lvs_connections) && [[ ${c:-0} -gt $peak ]] && peak=$c
  # New clients while the table is full of the flood's half-open entries.
  if [[ $peak -ge $LIMIT && -z $during ]]; then during=$(lab_http_burst 10); fi
  sleep 0.5 # sampling the gauge while the flood runs, not a correctness wait
done
wait "$flood_pid" 2>/dev/null
flood_pid=""
sent=$(grep -o '[0-9]* packets transmitted' "$tmp/hping.out" | cut -d' ' -f1)
echo "     hping3: ${sent:-?} SYNs in $FLOOD_S s ($(( ${sent:-0} / FLOOD_S )) per second); table peak $peak"
check "the flood was sent (${sent:-0} SYNs > $((LIMIT * 2)))" [ "${sent:-0}" -gt $((LIMIT * 2)) ]

director_scrape
conns=$(metric lvs_connections)
drops=$(metric lvs_forward_errors_total 'reason="connection_limit"')
evictions=$(metric lvs_connection_evictions_total)
queued=$(( $(metric lvs_queue_packets_total 'queue="0"') - ${queued_before:-0} ))
kernel_drops=$(awk '$1 ~ /^lvs_queue_dropped_total\{/ {s += $2} END {print s + 0}' "$scrape_file")
rss_after=$(rss_bytes)
echo "     lvs_connections $conns (limit $LIMIT), evictions $evictions, connection_limit drops $drops"
echo "     RSS before $rss_before, after $rss_after (+$((rss_after - rss_before)) bytes; bound $((TABLE_BOUND + SLACK)))"
expect "the table is at the limit after the flood" "$LIMIT" "$conns"
check_expr "it never went beyond (peak $peak <= $LIMIT)" '[ "$peak" -le $LIMIT ]'
echo "     the director received $queued packets during the flood; the kernel dropped $kernel_drops before the queue (lvs_queue_dropped_total)"
# Every SYN the director received beyond the first LIMIT either replaced a half-open entry or was
# dropped; the rest of what it received is the downloads' ACKs and the test's requests (< 3000).
check_expr "the SYNs beyond the limit are counted (evictions $evictions + drops $drops >= $queued - $LIMIT - 3000)" \
  '[ $(( ${evictions:-0} + ${drops:-0} )) -ge $(( queued - LIMIT - 3000 )) ] && [ "${evictions:-0}" -gt 0 ]'
echo "     new HTTP connections during the flood: $(tally <<<"$during")"
check "new clients during the flood were answered ($(answered "$during")/10)" \
  [ "$(answered "$during")" -eq 10 ]
check_expr "director RSS grew by at most the table bound + 4 MiB" \
  '[ $((rss_after - rss_before)) -le $((TABLE_BOUND + SLACK)) ]'

# --- the established flows were untouched ----------------------------------------------------
for p in "${download_pids[@]}"; do wait "$p"; done
download_pids=()
complete=0
for i in $(seq $DOWNLOADS); do
  echo "     download $i: $(cat "$tmp/download.$i")"
  [[ "$(cat "$tmp/download.$i")" == "1048576 200" ]] && complete=$((complete + 1))
done
check "all $DOWNLOADS long-lived downloads completed, 1 MiB each" [ $complete -eq $DOWNLOADS ]

# --- reload: the key follows -----------------------------------------------------------------
with_limit 30000
kill -HUP "$director_pid"
check "SIGHUP raises the limit (lvs_connection_limit 30000)" wait_metric lvs_connection_limit "" 30000
in_ns client timeout -s INT 3 hping3 -S -p 80 --flood --rand-source "$VIP" >/dev/null 2>&1
check "a second flood fills the table to the new limit" wait_metric lvs_connections "" 30000 30
with_limit 10000
kill -HUP "$director_pid"
check "SIGHUP lowers the limit (lvs_connection_limit 10000)" wait_metric lvs_connection_limit "" 10000
conns=$(metric_now lvs_connections)
check_expr "lowering it removed nothing ($conns connections stay until they expire)" \
  '[ "${conns:-0}" -gt 10000 ]'

check "the director is still running" director_running
finish
