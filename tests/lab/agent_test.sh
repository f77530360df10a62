#!/usr/bin/env bash
# The real-server agent on the real kernel with real ARP (issue 6, items 2-7): lab.sh up starts
# lvs-agent in every real server, the real lvs-director forwards in lvs-dir, and from lvs-client:
#   - agents running: `arping VIP` is answered by the director's MAC only; the rs agents count the
#     requests they dropped; /healthz 200, metrics with the DESIGN.md §5 names
#   - the problem: agents stopped, --cleanup run (table, VIP and sysctls as they were before),
#     then the VIP on lo with arp_ignore=0/arp_announce=0 (no suppression): real servers' MACs
#     answer arping
#   - lab.sh up again (idempotent) restarts the agents: only the director answers again
#   - drift in rs1 (arp_ignore=0, VIP deleted) and rs2 (table deleted): repaired within
#     check-interval and counted in lvs_agent_drift_repairs_total; a VIP put on eth0 while the
#     agent runs turns /healthz 503; HTTP through the director keeps working throughout
#   - SIGTERM leaves the suppression in place; two restarts leave one table and one VIP address
#   - refusals: a VIP on eth0, no CAP_NET_ADMIN: exit 1 with one line saying why
#   - --cleanup removes what the agent added (VIP, table) and restores the sysctls it changed
#
#   bash tests/lab/agent_test.sh BIN_DIR SOURCE_DIR       (as ctest runs it)
#
# Every packet is sent from lvs-client to addresses inside the lab. Exit 77 (skipped) when not
# root, unless CI=true. LVS_LAB_PREFIX runs it on a private copy of the lab.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

lab_require_root
lab_require_tools curl arping nft ip sysctl
lab_init "$@"
agent_bin=$(cd "$bin_dir" 2>/dev/null && pwd)/lvs-agent  # absolute: lab.sh runs it
agent_config=$src_dir/config/examples/lab-agent.yaml
lab_require_built "$agent_bin" "$director_bin"

export LVS_AGENT_BIN=$agent_bin  # lab.sh runs this agent in every real server
readonly VIP=$LAB_VIP
readonly MAC_DIR=02:00:00:00:00:02
readonly METRICS=127.0.0.1:9470
readonly CHECK_INTERVAL_S=5  # config/examples/lab-agent.yaml
director_log=$log
traffic_pid="" nopriv=""

lab_on_exit() {
  stop_pid "$traffic_pid"
  rm -rf "$nopriv"
}

lab_failure_report() {  # finish's, when something failed
  for h in rs1 rs2 rs3; do
    echo "--- $h agent log ---"
    cat "$RUN_DIR/$h/agent.log" 2>/dev/null
  done
  echo "--- director log ---"
  cat "$director_log" 2>/dev/null
}

# The MACs that answered `arping -c 3 VIP` from the client, sorted, one per line; asked again
# (a counted retry) when nobody answered at all: some MAC must answer in every phase.
arp_macs() {
  in_ns client arping -c 3 -I eth0 "$VIP" 2>/dev/null | grep -o 'bytes from [0-9a-f:]*' |
    awk '{print $3}' | sort -u
}
arp_responders() { lab_retry_if_empty "arping unanswered" "arping $VIP" arp_macs; }
only_director_answers() { [[ "$(arp_responders)" == "$MAC_DIR" ]]; }

agent_pid() { cat "$RUN_DIR/$1/agent.pid" 2>/dev/null; }
stop_agent() {  # stop_agent rsN: SIGTERM, wait; returns the exit status
  local pid status=0
  pid=$(agent_pid "$1")
  [[ -n $pid ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  wait_for 50 lab_gone "$pid"
}
healthz_code() { in_ns "$1" curl -s -o /dev/null -w '%{http_code}' -m 2 "http://$METRICS/healthz"; }
healthy() { [[ "$(healthz_code "$1")" == 200 ]]; }
agent_metric() {  # agent_metric rsN 'NAME{LABELS}' → value (empty if absent)
  in_ns "$1" curl -s -m 2 "http://$METRICS/metrics" | awk -v m="$2" '$1 == m {print $2}'
}
agent_metric_at_least() { local v; v=$(agent_metric "$1" "$2"); [[ -n $v ]] && awk -v v="$v" -v m="$3" 'BEGIN {exit !(v >= m)}'; }
sysctl_of() { in_ns "$1" sysctl -n "net.ipv4.conf.$2"; }
vip_count_on_lo() { in_ns "$1" ip -4 -o addr show dev lo | grep -c " $VIP/32 " || true; }
agent_tables() { in_ns "$1" nft list tables | grep -c 'table arp lvs_agent' || true; }
vip_on_lo() { [[ "$(vip_count_on_lo "$1")" -eq 1 ]]; }

# --- lab with agents, director ----------------------------------------------------------------
lab_up
check "lab.sh up says the real servers run lvs-agent" grep -q "real servers: lvs-agent" "$tmp/lab.log"
for h in rs1 rs2 rs3; do
  check "$h: agent running, /healthz 200" healthy "$h"
done
check_expr "rs1: VIP on lo once, arp_ignore=1 arp_announce=2 on all and eth0 (set by the agent)" \
  'vip_on_lo rs1 && [ "$(sysctl_of rs1 all.arp_ignore)$(sysctl_of rs1 eth0.arp_ignore)" = 11 ] && [ "$(sysctl_of rs1 all.arp_announce)$(sysctl_of rs1 eth0.arp_announce)" = 22 ]'
check "rs1: nft table arp lvs_agent with the VIP set and both chains" \
  bash -c "ip netns exec ${P}rs1 nft list table arp lvs_agent | grep -q 'elements = { $VIP }' && ip netns exec ${P}rs1 nft list table arp lvs_agent | grep -q 'hook output'"

# A private control socket: tests of several labs may run side by side.
director_config "$src_dir/config/examples/lab.yaml" "$tmp/director.yaml"
if ! director_up "$tmp/director.yaml"; then
  not_ok "director installed its nft table within 10 s"
  finish
fi
check "HTTP through the director answered by a real server" \
  grep -qx 'rs[123]' <<<"$(lab_http_get "http://$VIP/")"

# --- ARP with agents running ---------------------------------------------------------------------
responders=$(arp_responders | tr '\n' ' ')
echo "     arping $VIP with agents: answered by $responders"
check_expr "agents running: only the director's MAC ($MAC_DIR) answers arping" \
  '[ "$responders" = "$MAC_DIR " ]'
# Counters are read at each check, so the figure can be up to check-interval old.
check "rs1 counted the ARP requests it dropped (lvs_agent_arp_requests_dropped_total >= 3)" \
  wait_for $((CHECK_INTERVAL_S * 10 + 20)) agent_metric_at_least rs1 "lvs_agent_arp_requests_dropped_total{vip=\"$VIP\"}" 3
check "metrics: lvs_agent_up 1, vip_present 1, sysctl_compliant 1" \
  bash -c "[ '$(agent_metric rs1 lvs_agent_up)' = 1 ] && [ '$(agent_metric rs1 "lvs_agent_vip_present{vip=\"$VIP\"}")' = 1 ] && [ '$(agent_metric rs1 'lvs_agent_sysctl_compliant{name="arp_ignore",interface="eth0"}')' = 1 ]"

# --- the problem: no agent, no suppression ---------------------------------------------------------
for h in rs1 rs2 rs3; do
  check "$h: agent exits on SIGTERM" stop_agent "$h"
done
check_expr "rs1 after SIGTERM: VIP, sysctls and table left in place" \
  'vip_on_lo rs1 && [ "$(sysctl_of rs1 eth0.arp_ignore)" = 1 ] && [ "$(agent_tables rs1)" -eq 1 ]'
for h in rs1 rs2 rs3; do
  out=$(in_ns "$h" "$agent_bin" --config "$agent_config" --cleanup 2>&1)
  rc=$?
  check "$h: --cleanup exits 0" [ "$rc" -eq 0 ]
done
check_expr "--cleanup removed the VIP the agent added and its table" \
  '[ "$(vip_count_on_lo rs1)" -eq 0 ] && [ "$(agent_tables rs1)" -eq 0 ]'
check_expr "--cleanup restored the sysctls to the namespace defaults it found (0)" \
  '[ "$(sysctl_of rs1 all.arp_ignore)$(sysctl_of rs1 eth0.arp_ignore)$(sysctl_of rs1 all.arp_announce)$(sysctl_of rs1 eth0.arp_announce)" = 0000 ]'
for h in rs1 rs2 rs3; do  # the classic mistake: VIP on lo, no ARP suppression
  in_ns "$h" ip addr add "$VIP/32" dev lo
done
responders=$(arp_responders | tr '\n' ' ')
echo "     arping $VIP without suppression: answered by $responders"
check_expr "without suppression the real servers answer arping for the VIP (the problem)" \
  '[[ "$responders" =~ 02:00:00:00:00:0[bcd] ]]'
# Forget what the client learnt: the next phase must show the repaired state, not a cache.
in_ns client ip neigh flush all

# --- agents back (lab.sh up is idempotent and restarts them) ----------------------------------------
if "$lab" up >"$tmp/lab2.log" 2>&1; then ok "lab.sh up again: agents restarted"; else
  cat "$tmp/lab2.log"
  not_ok "lab.sh up again"
fi
responders=$(arp_responders | tr '\n' ' ')
echo "     arping $VIP with agents restarted: answered by $responders"
check_expr "agents restarted: only the director's MAC answers again" '[ "$responders" = "$MAC_DIR " ]'
check "rs1: the VIP that was there is adopted, not duplicated" vip_on_lo rs1

# --- drift, with traffic through the director throughout ------------------------------------------
# No retries here: a request with no answer is exactly the outage this counts. Not through in_ns:
# a backgrounded shell function is a subshell, and $! would be its pid.
ip netns exec "${P}client" bash -c 'while :; do
    if curl -s -m 3 http://'"$VIP"'/ | grep -qx "rs[123]"; then echo ok; else echo fail; fi
    sleep 0.1
  done' >"$tmp/traffic.log" 2>&1 &
traffic_pid=$!
traffic_lines() { local n; n=$(grep -c . "$tmp/traffic.log" 2>/dev/null); echo "${n:-0}"; }
traffic_grew() { [ "$(traffic_lines)" -ge "$1" ]; }
wait_for 50 traffic_grew 5 || echo "     (fewer than 5 requests in 5 s before the drift)"
in_ns rs1 sysctl -q -w net.ipv4.conf.all.arp_ignore=0 net.ipv4.conf.eth0.arp_ignore=0
in_ns rs1 ip addr del "$VIP/32" dev lo
in_ns rs2 nft delete table arp lvs_agent
drift_at=$(date +%s.%N)
check "rs1: deleted VIP back within 1 s (rtnetlink notification)" wait_for 10 vip_on_lo rs1
# While arp_ignore is 0 the nft table still drops the requests: still only the director.
check "rs1 arp_ignore=0 (not yet repaired): the nft rule alone keeps the real servers silent" \
  only_director_answers
sysctl_repaired() { [ "$(sysctl_of rs1 all.arp_ignore)$(sysctl_of rs1 eth0.arp_ignore)" = 11 ]; }
check "rs1: arp_ignore back to 1 within check-interval (${CHECK_INTERVAL_S} s)" \
  wait_for $((CHECK_INTERVAL_S * 10 + 20)) sysctl_repaired
repaired_in=$(awk -v a="$drift_at" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
echo "     drift repaired ${repaired_in} s after it was made"
check "rs2: deleted table reinstalled within check-interval" \
  wait_for $((CHECK_INTERVAL_S * 10 + 20)) bash -c "ip netns exec ${P}rs2 nft list table arp lvs_agent >/dev/null 2>&1"
check "rs1: repairs counted: drift_repairs_total{kind=vip} >= 1" \
  agent_metric_at_least rs1 'lvs_agent_drift_repairs_total{kind="vip"}' 1
check "rs1: repairs counted: drift_repairs_total{kind=sysctl} >= 2 (all and eth0)" \
  agent_metric_at_least rs1 'lvs_agent_drift_repairs_total{kind="sysctl"}' 2
check "rs2: repairs counted: drift_repairs_total{kind=nft_table} >= 1" \
  wait_for 20 agent_metric_at_least rs2 'lvs_agent_drift_repairs_total{kind="nft_table"}' 1
check_expr "rs1, rs2: /healthz 200 after the repairs" 'healthy rs1 && healthy rs2'

# A VIP on a wire-facing interface is not the agent's to remove: unhealthy until it is gone.
in_ns rs3 ip addr add "$VIP/32" dev eth0
check "rs3: VIP put on eth0 → /healthz 503" wait_for 30 bash -c "[ \"\$(ip netns exec ${P}rs3 curl -s -o /dev/null -w '%{http_code}' -m 2 http://$METRICS/healthz)\" = 503 ]"
check "rs3: the 503 body names the misplaced VIP" \
  bash -c "ip netns exec ${P}rs3 curl -s -m 2 http://$METRICS/healthz | grep -q 'also on eth0'"
in_ns rs3 ip addr del "$VIP/32" dev eth0
check "rs3: VIP off eth0 → /healthz 200 again" wait_for 30 healthy rs3

# A few more requests after the last repair (up to 5 s).
wait_for 50 traffic_grew $(($(traffic_lines) + 5)) || echo "     (fewer than 5 requests in 5 s after the repairs)"
stop_pid "$traffic_pid"
traffic_pid=""
ok_count=$(grep -c '^ok$' "$tmp/traffic.log" || true)
fail_count=$(grep -c '^fail$' "$tmp/traffic.log" || true)
echo "     HTTP through the director during the drift tests: $ok_count ok, $fail_count failed"
check_expr "traffic through the director kept working throughout (no failed request)" \
  '[ "$ok_count" -gt 10 ] && [ "$fail_count" -eq 0 ]'

# --- restarts ----------------------------------------------------------------------------------
for i in 1 2; do
  stop_agent rs1
  "$lab" up >"$tmp/lab-restart.log" 2>&1 || { cat "$tmp/lab-restart.log"; not_ok "restart $i"; }
done
check "two restarts: agent healthy" healthy rs1
check_expr "two restarts: exactly one nft table and one VIP address" \
  '[ "$(agent_tables rs1)" -eq 1 ] && [ "$(vip_count_on_lo rs1)" -eq 1 ]'

# --- refusals ------------------------------------------------------------------------------------
stop_agent rs3
in_ns rs3 ip addr add "$VIP/32" dev eth0
out=$(in_ns rs3 timeout 10 "$agent_bin" --config "$agent_config" 2>&1)
rc=$?
echo "     $out"
check_expr "VIP on eth0 at start: exit 1, one line naming eth0 as non-loopback" \
  '[ "$rc" -eq 1 ] && [ "$(wc -l <<<"$out")" -eq 1 ] && grep -q "VIP $VIP is configured on eth0, a non-loopback interface" <<<"$out"'
in_ns rs3 ip addr del "$VIP/32" dev eth0
if command -v setpriv >/dev/null; then
  # The binary and its config copied where the unprivileged user can reach them: the checkout
  # may sit under a directory only root may enter (a clone under `mktemp -d`), and then running
  # it from there fails with "Permission denied" before the capability check this case tests.
  nopriv=$(mktemp -d /tmp/agent_test_nopriv.XXXXXX)
  chmod 755 "$nopriv"
  cp "$agent_bin" "$agent_config" "$nopriv/"
  chmod 755 "$nopriv/lvs-agent"
  chmod 644 "$nopriv/${agent_config##*/}"
  out=$(in_ns rs3 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
    timeout 10 "$nopriv/lvs-agent" --config "$nopriv/${agent_config##*/}" 2>&1)
  rc=$?
  echo "     $out"
  check_expr "no privileges: exit 1, one line saying CAP_NET_ADMIN is needed" \
    '[ "$rc" -eq 1 ] && [ "$(wc -l <<<"$out")" -eq 1 ] && grep -q "lacks CAP_NET_ADMIN" <<<"$out"'
fi
check "--check accepts the lab agent config" in_ns rs3 "$agent_bin" --config "$agent_config" --check

# --- --cleanup after a normal run -----------------------------------------------------------------
# From a host the agent never touched (the first cleanup forgets the earlier record) with one
# sysctl at a non-default value: the agent adds the VIP and changes the sysctls; --cleanup must
# undo exactly that.
stop_agent rs1
in_ns rs1 "$agent_bin" --config "$agent_config" --cleanup >/dev/null 2>&1
in_ns rs1 sysctl -q -w net.ipv4.conf.eth0.arp_announce=1
"$lab" up >"$tmp/lab3.log" 2>&1 || { cat "$tmp/lab3.log"; not_ok "lab.sh up before cleanup"; }
check_expr "agent set eth0.arp_announce=2 and holds the VIP" \
  '[ "$(sysctl_of rs1 eth0.arp_announce)" = 2 ] && vip_on_lo rs1'
stop_agent rs1
check "--cleanup exits 0" in_ns rs1 "$agent_bin" --config "$agent_config" --cleanup
check_expr "--cleanup: no table, no VIP, eth0.arp_announce back to the 1 it found" \
  '[ "$(agent_tables rs1)" -eq 0 ] && [ "$(vip_count_on_lo rs1)" -eq 0 ] && [ "$(sysctl_of rs1 eth0.arp_announce)" = 1 ]'
check "--cleanup twice: nothing left to do, exit 0" \
  in_ns rs1 "$agent_bin" --config "$agent_config" --cleanup

stop_director
check "no sanitizer report in the agents' logs (sanitized builds)" \
  bash -c "! grep -qE 'runtime error|AddressSanitizer|LeakSanitizer' $RUN_DIR/rs*/agent.log"

finish
