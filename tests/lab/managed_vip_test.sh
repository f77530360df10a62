#!/usr/bin/env bash
# `vip-mode: managed` and `lvsadm neigh` on the real kernel (issue 5, items 5-6):
#   - lab.sh up --no-vip, director with vip-mode managed: RFC 5227 probes (3, sender 0.0.0.0,
#     counted on the lab bridge) for the VIP, then the VIP on the director's eth0, 2 announcements, and the client's neighbour table holds the
#     director's MAC for the VIP without the client ever asking (gratuitous ARP; the client
#     accepts unsolicited ARP: arp_accept=1)
#   - HTTP through the VIP works; a reload that changes the VIP set is refused
#   - lvsadm neigh show: the three `mac:` servers PERMANENT in `ip neigh show` layout; neigh
#     del / add ... nud permanent|stale / flush are visible in show; del of a missing entry fails
#   - SIGTERM: exit 0, the VIP and the nft table are gone
#   - a host already holding the VIP (its own namespace on the lab bridge, VIP on its eth0):
#     the director refuses to start, exit 1, naming that host's MAC, leaving nothing behind
#   - a VIP already on the director's eth0 is adopted and removed at exit
#
#   bash tests/lab/managed_vip_test.sh BIN_DIR SOURCE_DIR       (as ctest runs it)
#
# Every packet is sent inside the lab's namespaces. Exit 77 (skipped) when not root, unless
# CI=true. LVS_LAB_PREFIX runs it on a private copy of the lab.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

lab_require_root
lab_require_tools curl nft ip
lab_init "$@"
lab_require_built "$director_bin" "$lvsadm_bin"

readonly VIP=$LAB_VIP
readonly MAC_DIR=02:00:00:00:00:02 MAC_DUP=02:00:00:00:00:66
readonly DUP_NS=${P}dup
metrics_port=${LVS_TEST_METRICS_PORT:-9488}
config=$tmp/director.yaml

DIRECTOR_STOP_TENTHS=50
remove_dup_host() { ip netns del "$DUP_NS" 2>/dev/null || true; }
lab_on_exit() { stop_director; remove_dup_host; }

vip_on_director() { in_ns dir ip -4 -o addr show dev eth0 | grep -q " $VIP/32 "; }
no_vip_on_director() { ! vip_on_director; }
lvsadm() { "$lvsadm_bin" --socket "$sock" "$@"; }
client_neigh_vip() { in_ns client ip neigh show "$VIP" dev eth0; }
start_director() {  # start_director CONFIG: in the background, log to $log (emptied first)
  : >"$log"
  director_start "$1"
}

# --- lab without the VIP on the director -----------------------------------------------------
remove_dup_host
lab_up --no-vip
check "lab up --no-vip: the director's eth0 has no VIP" no_vip_on_director

director_config "$src_dir/config/examples/lab.yaml" "$tmp/lab.yaml" "$metrics_port"
sed -e "s|vip-mode: .*|vip-mode: managed|" "$tmp/lab.yaml" >"$config"

# The client learns from unsolicited ARP (arp_accept=1: a gratuitous ARP may create an entry) and
# starts with no entry for the VIP, so an entry after the start can only come from the director's
# announcement.
in_ns client sysctl -qw net.ipv4.conf.eth0.arp_accept=1 net.ipv4.conf.all.arp_accept=1
in_ns client ip neigh flush dev eth0 >/dev/null 2>&1 || true
check "client starts without a neighbour entry for the VIP" bash -c "[ -z \"\$(ip netns exec ${P}client ip neigh show $VIP dev eth0)\" ]"

# Bridge counters in the lab switch: the director's RFC 5227 probes (request, sender IP 0.0.0.0,
# target the VIP) and announcements (sender = target = VIP).
in_ns sw nft -f - <<NFT
table bridge managed_vip_test {
  counter probes {}
  counter announcements {}
  chain pre {
    type filter hook prerouting priority 0; policy accept;
    ether saddr $MAC_DIR arp operation request arp saddr ip 0.0.0.0 arp daddr ip $VIP counter name "probes"
    ether saddr $MAC_DIR arp operation request arp saddr ip $VIP arp daddr ip $VIP counter name "announcements"
  }
}
NFT
counter_packets() {
  in_ns sw nft list counter bridge managed_vip_test "$1" | grep -o 'packets [0-9]*' | cut -d' ' -f2
}

# --- managed start ---------------------------------------------------------------------------
t0=$(date +%s%N)
start_director "$config"
# Detection takes 3-7 s (PROBE_WAIT + 3 probes 1-2 s apart + ANNOUNCE_WAIT).
if ! director_wait_up 150 || ! wait_for 30 vip_on_director || ! director_running; then
  not_ok "managed director installed its table and the VIP within 15 s"
  finish
fi
t1=$(date +%s%N)
echo "     start-up with duplicate address detection: $(((t1 - t0) / 1000000)) ms"
ok "managed director running, VIP $VIP/32 on its eth0"
check "log: duplicate address detection ran for the VIP" log_has "duplicate address detection for $VIP on eth0"
check "log: the VIP was added (not adopted)" log_has "$VIP/32 added to eth0"
check "log: announced by gratuitous ARP" wait_for 30 log_has "announced 1 VIP(s) at $MAC_DIR"
check "client's neighbour table has the director's MAC for the VIP without asking" \
  wait_for 30 bash -c "ip netns exec ${P}client ip neigh show $VIP dev eth0 | grep -q 'lladdr $MAC_DIR'"
echo "     client: $(client_neigh_vip)"
check "log: second announcement 2 s later" wait_for 40 log_has "gratuitous ARP 2/2"

check "on the wire: exactly 3 probes from 0.0.0.0 for the VIP (PROBE_NUM)" \
  [ "$(counter_packets probes)" -eq 3 ]
check "on the wire: exactly 2 gratuitous ARP announcements (ANNOUNCE_NUM)" \
  [ "$(counter_packets announcements)" -eq 2 ]

bodies=$(lab_http_burst 6)
check "HTTP through the managed VIP: 6/6 answered by real servers" [ "$(answered "$bodies")" -eq 6 ]

# --- reload: the VIP set is fixed in managed mode --------------------------------------------
cp "$config" "$tmp/good.yaml"
sed 's/10\.200\.0\.100:9000/10.200.0.101:9000/' "$tmp/good.yaml" >"$config"
kill -HUP "$director_pid"
check "SIGHUP changing the VIP set: refused, says restart" \
  wait_for 50 log_has "the set of VIPs changed from 10.200.0.100 to 10.200.0.100,10.200.0.101"
cp "$tmp/good.yaml" "$config"
check "the refused reload left the VIP in place" vip_on_director

# --- lvsadm neigh ----------------------------------------------------------------------------
expected_permanent="10.200.0.11 dev eth0 lladdr 02:00:00:00:00:0b PERMANENT
10.200.0.12 dev eth0 lladdr 02:00:00:00:00:0c PERMANENT
10.200.0.13 dev eth0 lladdr 02:00:00:00:00:0d PERMANENT"
# Only the servers' (and the test's) entries: the resolver may also have learnt the client from
# its ARP traffic.
neigh_servers() { lvsadm neigh show | grep -E '^10\.200\.0\.(1[1-3]|50) '; }
lvsadm neigh show | sed 's/^/     neigh: /'
show=$(neigh_servers)
check "neigh show: the three mac: servers PERMANENT in ip-neigh layout" [ "$show" == "$expected_permanent" ]
check "neigh del 10.200.0.13" lvsadm neigh del 10.200.0.13
check "neigh show no longer lists 10.200.0.13" bash -c "! $lvsadm_bin --socket $sock neigh show | grep -q '^10.200.0.13 '"
check "neigh del of a missing entry fails naming it" \
  bash -c "! $lvsadm_bin --socket $sock neigh del 10.200.0.13 2>$tmp/err && grep -q 'no such entry' $tmp/err"
check "neigh add 10.200.0.13 lladdr 02:00:00:00:00:0d nud permanent" \
  lvsadm neigh add 10.200.0.13 lladdr 02:00:00:00:00:0d nud permanent
check "neigh add 10.200.0.50 lladdr 02:00:00:00:00:50 nud stale" \
  lvsadm neigh add 10.200.0.50 lladdr 02:00:00:00:00:50 nud stale
show=$(neigh_servers)
check "neigh show lists the re-added PERMANENT and the STALE entry" \
  [ "$show" == "$expected_permanent
10.200.0.50 dev eth0 lladdr 02:00:00:00:00:50 STALE" ]
check "neigh flush" lvsadm neigh flush
check "after flush only the PERMANENT entries remain" bash -c "[ \"\$($lvsadm_bin --socket $sock neigh show | grep -v ' PERMANENT\$')\" == '' ]"
check "after flush the three servers are still PERMANENT" [ "$(neigh_servers)" == "$expected_permanent" ]
check "neigh with a bad MAC: usage error, exit 2" \
  bash -c "$lvsadm_bin --socket $sock neigh add 10.0.0.1 lladdr zz >/dev/null 2>&1; [ \$? -eq 2 ]"
bodies=$(lab_http_burst 6)
check "HTTP still answered 6/6 after the neigh edits" [ "$(answered "$bodies")" -eq 6 ]

# --- SIGTERM removes the VIP -----------------------------------------------------------------
director_term
check "SIGTERM: director exited 0 (got $director_status)" [ "$director_status" -eq 0 ]
check "SIGTERM: the VIP is gone from the director's eth0" no_vip_on_director
check "SIGTERM: log says the VIP was removed" log_has "$VIP/32 removed from eth0"
check "SIGTERM: no lvs_director table left" bash -c "! ip netns exec ${P}dir nft list ruleset | grep -q lvs_director"

# --- another host holds the VIP: refused, naming its MAC --------------------------------------
ip netns add "$DUP_NS"
ip -n "${P}sw" link add to-dup type veth peer name eth0 netns "$DUP_NS"
ip -n "${P}sw" link set to-dup master br0 up
ip -n "$DUP_NS" link set lo up
ip -n "$DUP_NS" link set eth0 address "$MAC_DUP" up
ip -n "$DUP_NS" addr add 10.200.0.66/24 dev eth0
ip -n "$DUP_NS" addr add "$VIP/32" dev eth0
out=$(ip netns exec "${P}dir" timeout 20 "$director_bin" --config "$config" 2>&1)
rc=$?
echo "     $(grep 'cannot start' <<<"$out")"
check "VIP held by another host: exit 1 (got $rc)" [ "$rc" -eq 1 ]
check "the refusal names the other host's MAC $MAC_DUP and the VIP" \
  bash -c "grep 'cannot start' <<<'$out' | grep -q '$VIP' && grep 'cannot start' <<<'$out' | grep -q '$MAC_DUP'"
check "exactly one 'cannot start' line" [ "$(grep -c 'cannot start' <<<"$out")" -eq 1 ]
check "refused start left no VIP on the director" no_vip_on_director
check "refused start left no nft table and no control socket" \
  bash -c "! ip netns exec ${P}dir nft list ruleset | grep -q lvs_director && [ ! -e $sock ]"
remove_dup_host

# --- a VIP already on the director's eth0: adopted, removed at exit ---------------------------
in_ns dir ip addr add "$VIP/32" dev eth0
start_director "$config"
if director_wait_up 150; then
  check "pre-existing VIP adopted" wait_for 30 log_has "$VIP/32 was already on (adopted"
  director_term
  check "adopted VIP: exit 0 and the VIP removed at exit" \
    eval '[ "$director_status" -eq 0 ] && no_vip_on_director'
else
  not_ok "director with a pre-existing VIP started within 15 s"
fi
check "no sanitizer report in the director's log (sanitized builds)" no_sanitizer_report "$log"

finish
