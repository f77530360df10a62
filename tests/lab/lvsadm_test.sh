#!/usr/bin/env bash
# lvsadm against a running lvs-director on the real kernel: lab.sh up, the director in lvs-dir
# with config/examples/lab.yaml (a copy whose control-socket points into the test's own temporary
# directory, in a subdirectory the director must create), real clients in lvs-client, and
# `lvsadm --socket PATH` from lvs-dir:
#   - the socket: created with its directory, mode 0660
#   - -L -n before any traffic: ipvsadm's exact listing (header lines, both services, three
#     servers each, in ipvsadm's order)
#   - after 30 HTTP connections and 6 UDP flows: --stats Conns per server equals the number of
#     answers each server actually gave (counted from the bodies); InPkts > 0, OutPkts 0 (direct
#     routing); the service line sums its servers
#   - -L -n -c lists those connections with the right client, VIP and server
#   - --rate shows CPS > 0 while traffic runs for ~5 s, InPPS > 0, OutPPS 0
#   - -L --timeout shows the configured timeouts
#   - -L -n -c of 4000+ connections (an answer sent in pieces): each listed exactly once
#   - a control client that connects and sends nothing stalls neither forwarding nor lvsadm
#   - 16 idle control clients held open (each one closed to make room reconnects at once) lock
#     lvsadm out of nothing: 10/10 lvsadm -L -n answered (issue 12, finding 9)
#   - neigh add refuses the VIP (the director's check) and 255.255.255.255 / ff:ff:ff:ff:ff:ff
#     (lvsadm's own), as the config refuses them for `mac:`; neigh show lists none of them
#   - SIGHUP moving control-socket: the new path answers, the old file is gone
#   - SIGKILL leaves a stale socket: a new director replaces it; a second director on the same
#     socket is refused with one line
#   - SIGTERM: exit 0, the socket file is removed; lvsadm then fails with a clear message, exit 1
#
#   bash tests/lab/lvsadm_test.sh BIN_DIR SOURCE_DIR       (as ctest runs it)
#
# Every packet is sent from lvs-client to addresses inside the lab. Exit 77 (skipped) when not
# root, unless CI=true. LVS_LAB_PREFIX runs it on a private copy of the lab.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

lab_require_root
lab_require_tools curl socat nft ip stat python3
lab_init "$@"
lab_require_built "$director_bin" "$lvsadm_bin"

readonly VIP=$LAB_VIP
chmod 755 "$tmp"
config=$tmp/director.yaml
sock=$tmp/run/director.sock  # run/ does not exist: the director creates it
silent_pid=""
traffic_pid=""
idle_pid=""

lab_on_exit() {
  stop_pid "$traffic_pid" TERM
  stop_pid "$silent_pid" TERM
  stop_pid "$idle_pid" TERM
}

lvsadm() { ip netns exec "${P}dir" "$lvsadm_bin" --socket "$sock" "$@"; }

socket_present() { [[ -S $sock ]]; }
start_director() {  # start_director CONFIG: until its table and control socket are there
  director_start "$1" && director_wait_up && wait_for 50 socket_present && director_running
}

# Field F (awk numbering) of the --stats/--rate line whose address is ADDRESS: a service line
# "TCP  VIP:PORT n..." and a server line "  -> RIP:PORT n..." both have it in $2, numbers from $3.
column_of() {  # column_of LISTING ADDRESS F
  awk -v addr="$2" -v f="$3" '$2 == addr { print $f; exit }' <<<"$1"
}
# TCP entries of a -Lnc listing whose state is not one a closed connection can be in.
open_tcp_states() {
  awk '$1 == "TCP" && $3 !~ /^(FIN_WAIT|TIME_WAIT|CLOSE|CLOSE_WAIT|LAST_ACK)$/' <<<"$1"
}

# --- lab and director ------------------------------------------------------------------------
lab_up
director_config "$src_dir/config/examples/lab.yaml" "$config" 9481
grep -q "control-socket: $sock" "$config" || { not_ok "config copy names the private socket"; finish; }

if ! start_director "$config"; then
  not_ok "director running with its nft table and control socket within 15 s"
  finish
fi
ok "director running, table ip lvs_director installed, control socket $sock"
check "the socket's missing directory was created (mode 755)" \
  [ "$(stat -c %a "$tmp/run")" == 755 ]
check "the control socket has mode 660" [ "$(stat -c %a "$sock")" == 660 ]
check "the start-up log names the control socket" log_has "lvsadm control socket $sock"

# --- -L -n before any traffic: the exact listing ---------------------------------------------
expected_idle="IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  10.200.0.100:80 wlc
  -> 10.200.0.11:80               Route   3      0          0         
  -> 10.200.0.12:80               Route   2      0          0         
  -> 10.200.0.13:80               Route   1      0          0         
UDP  10.200.0.100:9000 wrr
  -> 10.200.0.11:9000             Route   3      0          0         
  -> 10.200.0.12:9000             Route   2      0          0         
  -> 10.200.0.13:9000             Route   1      0          0         "
listing=$(lvsadm -L -n)
rc=$?
check "lvsadm -L -n exits 0" [ "$rc" -eq 0 ]
if [[ $listing == "$expected_idle" ]]; then
  ok "lvsadm -L -n: ipvsadm's header lines, both services, three servers each"
else
  not_ok "lvsadm -L -n: ipvsadm's header lines, both services, three servers each"
  diff <(echo "$expected_idle") <(echo "$listing") | sed 's/^/     /'
fi

# --- traffic, then --stats ---------------------------------------------------------------------
bodies=$(lab_http_burst 30)
rs1=$(count_of rs1 "$bodies") rs2=$(count_of rs2 "$bodies") rs3=$(count_of rs3 "$bodies")
echo "     30 HTTP connections answered: rs1=$rs1 rs2=$rs2 rs3=$rs3"
check "all 30 HTTP requests answered" [ $((rs1 + rs2 + rs3)) -eq 30 ]
udp=$(lab_udp_flows 6)
u1=$(count_of rs1 "$udp") u2=$(count_of rs2 "$udp") u3=$(count_of rs3 "$udp")
echo "     6 UDP flows answered: rs1=$u1 rs2=$u2 rs3=$u3"

stats=$(lvsadm -L -n --stats)
echo "$stats" | sed 's/^/     /'
check "--stats header" grep -qx "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes" <<<"$stats"
for i in 1 2 3; do
  want=$(eval echo "\$rs$i")
  got=$(column_of "$stats" "10.200.0.1$i:80" 3)
  check "--stats: rs$i Conns $got equals the $want connections it answered" [ "${got:-x}" == "$want" ]
  want=$(eval echo "\$u$i")
  got=$(column_of "$stats" "10.200.0.1$i:9000" 3)
  check "--stats: rs$i UDP Conns $got equals the $want flows it answered" [ "${got:-x}" == "$want" ]
done
check "--stats: TCP service Conns is 30" [ "$(column_of "$stats" "$VIP:80" 3)" == 30 ]
check "--stats: UDP service Conns is 6" [ "$(column_of "$stats" "$VIP:9000" 3)" == 6 ]
inpkts_ok=1 outpkts_ok=1
while read -r addr in out; do
  [[ $in -gt 0 ]] || { inpkts_ok=0; echo "     $addr InPkts $in"; }
  [[ $out == 0 ]] || { outpkts_ok=0; echo "     $addr OutPkts $out"; }
done < <(awk '$1 == "->" && $2 ~ /^10\./ { print $2, $4, $5 } $1 ~ /^(TCP|UDP)$/ { print $2, $4, $5 }' <<<"$stats")
check "--stats: InPkts > 0 on every service and server" [ "$inpkts_ok" -eq 1 ]
check "--stats: OutPkts 0 everywhere (direct routing: replies bypass the director)" [ "$outpkts_ok" -eq 1 ]

# --- -L -n -c -----------------------------------------------------------------------------
conns=$(lvsadm -L -n -c)
check "-L -n -c header" grep -qx "pro expire state       source             virtual            destination" <<<"$conns"
check "-L -n -c title" grep -qx "IPVS connection entries" <<<"$conns"
for i in 1 2 3; do
  want=$(eval echo "\$rs$i")
  got=$(awk -v d="10.200.0.1$i:80" -v v="$VIP:80" '$1 == "TCP" && $4 ~ /^10\.200\.0\.10:/ && $5 == v && $6 == d' <<<"$conns" | wc -l)
  check "-L -n -c: $want TCP connections client -> $VIP:80 -> rs$i ($got)" [ "$got" -eq "$want" ]
  want=$(eval echo "\$u$i")
  got=$(awk -v d="10.200.0.1$i:9000" -v v="$VIP:9000" '$1 == "UDP" && $3 == "UDP" && $4 ~ /^10\.200\.0\.10:/ && $5 == v && $6 == d' <<<"$conns" | wc -l)
  check "-L -n -c: $want UDP flows client -> $VIP:9000 -> rs$i ($got)" [ "$got" -eq "$want" ]
done
leftover=$(open_tcp_states "$conns")
check "-L -n -c: the closed TCP connections are in closing states" [ -z "$leftover" ]

check "-L --timeout" grep -qx "Timeout (tcp tcpfin udp): 900 120 300" <<<"$(lvsadm -L --timeout)"

# --- --rate while traffic runs ----------------------------------------------------------------
# Load only (no answer is checked, so no retry). Not through in_ns: a backgrounded shell
# function is a subshell, and $! would be its pid.
ip netns exec "${P}client" bash -c 'end=$((SECONDS + 15)); while [ $SECONDS -lt $end ]; do curl -s -m 2 -o /dev/null http://'"$VIP"'/; done' &
traffic_pid=$!
# The estimator averages over 2 s periods: poll (up to 12 s) until the rates below show.
rates_show() {
  rate=$(lvsadm -L -n --rate)
  [ "$(column_of "$rate" "$VIP:80" 3)" -gt 0 ] && [ "$(column_of "$rate" "$VIP:80" 4)" -gt 0 ] &&
    [ "$(column_of "$rate" "$VIP:80" 6)" -gt 0 ] && [ "$(column_of "$rate" "10.200.0.11:80" 3)" -gt 0 ]
} 2>/dev/null
wait_for 120 rates_show
stop_pid "$traffic_pid" TERM
traffic_pid=""
echo "$rate" | sed 's/^/     /'
check "--rate header" grep -qx "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS" <<<"$rate"
cps=$(column_of "$rate" "$VIP:80" 3)
check "--rate: TCP service CPS > 0 while traffic runs ($cps)" [ "${cps:-0}" -gt 0 ]
check "--rate: TCP service InPPS > 0" [ "$(column_of "$rate" "$VIP:80" 4)" -gt 0 ]
check "--rate: TCP service InBPS > 0" [ "$(column_of "$rate" "$VIP:80" 6)" -gt 0 ]
check "--rate: TCP service OutPPS 0" [ "$(column_of "$rate" "$VIP:80" 5)" == 0 ]
# Per server only the busiest: rs3 gets a sixth of a few connections per second, which may
# round to 0 on a slow machine.
check "--rate: rs1 (weight 3) has CPS > 0" [ "$(column_of "$rate" "10.200.0.11:80" 3)" -gt 0 ]

# --- -L -n -c of a larger table: the answer comes in pieces ----------------------------------
# 4100 more TCP connections (bash's /dev/tcp: connect, then close) make the listing longer than
# two of the director's 2000-connection pieces.
# Bounded: if the director were gone, every connect would wait out its SYN retries.
director_running || { not_ok "director still running before the large listing"; finish; }
in_ns client timeout 120 bash -c 'for i in $(seq 4100); do exec 3<>/dev/tcp/'"$VIP"'/80 && exec 3>&-; done' 2>/dev/null
# The listing must hold between the table sizes -L -n reports (ActiveConn + InActConn over the
# TCP servers) just before and just after it (a straggler may still come or go meanwhile).
tcp_in_table() {
  lvsadm -L -n | awk '$1 == "->" && $2 ~ /:80$/ { n += $5 + $6 } END { print n + 0 }'
}
before=$(tcp_in_table)
t0=$(date +%s%N)
conns=$(lvsadm -L -n -c)
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
after=$(tcp_in_table)
listed=$(awk '$1 == "TCP" && $5 == "'"$VIP"':80"' <<<"$conns" | wc -l)
echo "     -L -n -c: $listed TCP entries in $ms ms (table: $before before, $after after)"
check_expr "-L -n -c of a table of $listed connections: exit 0, all listed" \
  '[ "$rc" -eq 0 ] && [ "$listed" -ge 4100 ] &&
   { [ "$listed" -le "$before" ] && [ "$listed" -ge "$after" ] ||
     [ "$listed" -ge "$before" ] && [ "$listed" -le "$after" ]; }'
check "-L -n -c: no entry listed twice" \
  [ "$(awk '$1 == "TCP" {print $4}' <<<"$conns" | sort | uniq -d | wc -l)" -eq 0 ]

# --- a silent control client stalls nothing ---------------------------------------------------
ip netns exec "${P}dir" socat -T 10 UNIX-CONNECT:"$sock" EXEC:'sleep 10' >/dev/null 2>&1 &
silent_pid=$!
silent_connected() { in_ns dir ss -Hxp | grep -q "pid=$silent_pid,"; }
wait_for 30 silent_connected || echo "     (the silent client's connection did not show within 3 s)"
t0=$(date +%s%N)
bodies=$(lab_http_burst 10)
check "with a silent control client connected: 10/10 HTTP answered" [ "$(answered "$bodies")" -eq 10 ]
check "with a silent control client connected: lvsadm -L -n still answers" \
  bash -c "ip netns exec ${P}dir $lvsadm_bin --socket $sock -L -n | grep -q '^TCP  $VIP:80 wlc'"
echo "     10 requests + lvsadm took $((($(date +%s%N) - t0) / 1000000)) ms beside the silent client"
stop_pid "$silent_pid" TERM
silent_pid=""

# --- idle control clients filling every slot lock lvsadm out of nothing ------------------------
# An attacker's 16 connections that never send a request, each reconnected as soon as the director
# closes it (it then reads the director's ERROR line and EOF). On the old server every lvsadm
# got "busy" while they were held.
cat >"$tmp/idle_clients.py" <<'PY'
import select, socket, sys, time
path, count, seconds, ready = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s
conns = [connect() for _ in range(count)]
open(ready, "w").close()
end = time.time() + seconds
reconnects = 0
while time.time() < end:
    readable, _, _ = select.select(conns, [], [], 0.05)
    for s in readable:  # the director closed it: come back at once
        conns.remove(s)
        s.close()
        conns.append(connect())
        reconnects += 1
print(reconnects)
PY
ip netns exec "${P}dir" python3 "$tmp/idle_clients.py" "$sock" 16 30 "$tmp/idle.ready" \
  >"$tmp/idle.out" 2>&1 &
idle_pid=$!
idle_ready() { [[ -e $tmp/idle.ready ]]; }
wait_for 50 idle_ready || echo "     (the idle clients did not connect within 5 s)"
lvsadm_ok=0
lvsadm_err=""
for _ in $(seq 10); do
  if out=$(lvsadm -L -n 2>&1) && grep -q "^TCP  $VIP:80 wlc" <<<"$out"; then
    lvsadm_ok=$((lvsadm_ok + 1))
  else
    lvsadm_err=$out
  fi
done
echo "     with 16 idle control clients held open: $lvsadm_ok/10 lvsadm -L -n answered${lvsadm_err:+ (last error: $lvsadm_err)}"
check "with 16 idle control clients held open: 10/10 lvsadm -L -n answered" [ "$lvsadm_ok" -eq 10 ]
check "the idle clients were still connected" kill -0 "$idle_pid"
stop_pid "$idle_pid" TERM
idle_pid=""

# --- neigh add: what the config refuses as a PERMANENT neighbour, the socket refuses too ----------
out=$(lvsadm neigh add "$VIP" lladdr 02:00:00:00:00:99 2>&1)
rc=$?
echo "     neigh add $VIP: exit $rc: $out"
check "neigh add VIP: refused by the director (exit 1, 'is a VIP')" \
  bash -c "[ $rc -eq 1 ] && grep -q 'is a VIP' <<<'$out'"
out=$(lvsadm neigh add 255.255.255.255 lladdr 02:00:00:00:00:99 2>&1)
rc=$?
check "neigh add 255.255.255.255: refused (exit 2)" [ "$rc" -eq 2 ]
out=$(lvsadm neigh add 10.200.0.77 lladdr ff:ff:ff:ff:ff:ff 2>&1)
rc=$?
check "neigh add with MAC ff:ff:ff:ff:ff:ff: refused (exit 2)" [ "$rc" -eq 2 ]
neigh=$(lvsadm neigh show 2>&1)
check "neigh show lists none of them" \
  bash -c "! grep -Eq '^($VIP|255\.255\.255\.255|10\.200\.0\.77) ' <<<'$neigh'"

# --- SIGHUP moving the control socket ---------------------------------------------------------
sock2=$tmp/run2/lvs.sock
sed "s|control-socket: .*|control-socket: $sock2|" "$config" >"$tmp/moved.yaml"
cp "$config" "$tmp/orig.yaml"
cp "$tmp/moved.yaml" "$config"
kill -HUP "$director_pid"
check "SIGHUP with a new control-socket: applied" wait_for 50 log_has "control socket moved from $sock to $sock2"
check "the new socket answers" \
  bash -c "ip netns exec ${P}dir $lvsadm_bin --socket $sock2 -L -n | grep -q '^UDP  $VIP:9000 wrr'"
check "the old socket file is gone" [ ! -e "$sock" ]
cp "$tmp/orig.yaml" "$config"
kill -HUP "$director_pid"
check "SIGHUP back to the first path" wait_for 50 log_has "control socket moved from $sock2 to $sock"
check "lvsadm answers on the first path again" bash -c "ip netns exec ${P}dir $lvsadm_bin --socket $sock -L -n >/dev/null"

# --- a stale socket is replaced; a live one refuses a second director -------------------------
stop_pid "$director_pid" KILL
director_pid=""
check "SIGKILL leaves the socket file behind" [ -S "$sock" ]
out=$(lvsadm -L -n 2>&1)
check "lvsadm on a stale socket: 'Connection refused (is lvs-director running?)'" \
  grep -q "cannot connect to $sock: Connection refused (is lvs-director running?)" <<<"$out"
in_ns dir nft delete table ip lvs_director 2>/dev/null || true
check "a new director replaces the stale socket and starts" start_director "$config"
check "lvsadm answers the new director" bash -c "ip netns exec ${P}dir $lvsadm_bin --socket $sock -L -n | grep -q '^TCP  $VIP:80 wlc'"
sed 's/queue: 0/queue: 1/' "$config" >"$tmp/queue1.yaml"
out=$(ip netns exec "${P}dir" timeout 10 "$director_bin" --config "$tmp/queue1.yaml" 2>&1)
rc=$?
check "a second director on the same socket is refused (exit 1, one line naming it)" \
  bash -c "[ $rc -eq 1 ] && grep -q 'another lvs-director is answering there' <<<'$out' && [ \$(grep -c 'cannot start' <<<'$out') -eq 1 ]"
check "the refused one left the socket to the running director" \
  bash -c "ip netns exec ${P}dir $lvsadm_bin --socket $sock -L -n >/dev/null"

# --- SIGTERM ---------------------------------------------------------------------------------
director_term
check "SIGTERM: director exited 0 (got $director_status)" [ "$director_status" -eq 0 ]
check "SIGTERM: the socket file is removed" [ ! -e "$sock" ]
check "SIGTERM: the log says so" log_has "control socket $sock removed"
out=$(lvsadm -L -n 2>&1)
rc=$?
echo "     lvsadm with no director: exit $rc: $out"
check "lvsadm with the director stopped: exit code != 0" [ "$rc" -ne 0 ]
check "lvsadm with the director stopped: a clear message" \
  grep -qx "lvsadm: cannot connect to $sock: No such file or directory (is lvs-director running?)" <<<"$out"
check "no sanitizer report in the director's log (sanitized builds)" no_sanitizer_report "$log"

finish
