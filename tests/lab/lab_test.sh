#!/usr/bin/env bash
# Lab test: deploy/lab/lab.sh builds the DESIGN.md §6 namespace lab and takes it down again.
# Proven with real packets from inside lvs-client: HTTP and UDP to each real server, ARP and ping
# on the segment, the VIP answered by ARP only from the director, and direct routing to each real
# server (the client's frame for the VIP addressed to that server's MAC, as the director will do
# it) answered by that server from the VIP; a burst of 2000 UDP datagrams from distinct source
# ports all answered from the address they were sent to. Also: `up` twice changes nothing, `up` repairs a
# broken lab, `up --no-vip`, and `down` twice leaves no namespaces, processes or state behind.
#
#   bash tests/lab/lab_test.sh BIN_DIR SOURCE_DIR       (ctest: lab_lab_test)
#
# Needs root; skips (exit 77) without it unless CI=true. Every packet is sent from a namespace the
# lab created to addresses in namespaces it created; the trap takes the lab down on any exit.
set -uo pipefail
export LC_ALL=C
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

lab_require_root
lab_require_tools ip curl socat ping arping nginx ss nft
lab_init "$@"
prefix=$P
run_dir=$RUN_DIR
vip=$LAB_VIP
dir_mac=02:00:00:00:00:02
declare -A mac=([client]=02:00:00:00:00:0a [dir]=02:00:00:00:00:02
  [rs1]=02:00:00:00:00:0b [rs2]=02:00:00:00:00:0c [rs3]=02:00:00:00:00:0d)
declare -A addr=([client]=10.200.0.10 [dir]=10.200.0.2
  [rs1]=10.200.0.11 [rs2]=10.200.0.12 [rs3]=10.200.0.13)
hosts=(client dir rs1 rs2 rs3)
real_servers=(rs1 rs2 rs3)
lab_failure_report() { :; }  # no director here; the FAIL lines say what

lab_namespaces() { ip netns list | awk '{print $1}' | grep -E "^${prefix}(sw|client|dir|rs[1-3])$"; }
quiet() { "$@" >/dev/null 2>&1; }
# Client requests with lib.sh's retry policy (a request with no answer at all is sent again, and
# counted); an answer, right or wrong, is what the check sees.
http_get() { lab_http_get "http://$1/${2:-}"; }
udp_ask() { lab_udp_flows 1 "$1"; }
# MACs that answer ARP for IP on the segment, one per line, sorted and unique (asked again when
# nobody answered; LAB_RETRIES=0 where nobody answering is what is checked).
arp_macs() { in_ns client arping -r -c 3 -W 0.3 -i eth0 "$1" 2>/dev/null | sort -u; }
arp_answerers() { lab_retry_if_empty "arping unanswered" "arping $1" arp_macs "$1"; }
# One ping from the client to ADDR; sent again (counted) when no reply came.
client_pings() {
  local try
  for ((try = 0; ; try++)); do
    in_ns client ping -c 1 -W 2 "$1" >/dev/null 2>&1 && return 0
    [[ $try -lt ${LAB_RETRIES:-2} ]] || return 1
    lab_note_retry "ping unanswered" "ping $1"
  done
}
eth0_addrs() { ip -n "$prefix$1" -o -4 addr show dev "$2" | awk '{print $4}' | sort | tr '\n' ' '; }
# Everything `up` is responsible for, in a form two runs can be compared by: links, addresses,
# MACs, sysctls, and the pids of the listening services (a restarted service changes them).
snapshot() {
  local h
  ip -n "${prefix}sw" -o link show | sed 's/ qlen.*//'
  for h in "${hosts[@]}"; do
    ip -n "$prefix$h" -o link show | sed 's/ qlen.*//'
    ip -n "$prefix$h" -o addr show
  done
  for h in "${real_servers[@]}"; do
    in_ns "$h" sysctl net.ipv4.conf.all.arp_ignore net.ipv4.conf.eth0.arp_ignore \
      net.ipv4.conf.all.arp_announce net.ipv4.conf.eth0.arp_announce
    in_ns "$h" ss -H -ltunp | sort
  done
}
root_lab_leaks() { (ip -4 -o addr show; ip -4 route show table all) | grep -F "10.200.0." || true; }

echo "== clean start"
bash "$lab" down >/dev/null 2>&1
expect "no lab namespaces before up" "" "$(lab_namespaces)"

echo "== up, twice"
check "lab.sh up succeeds" bash "$lab" up
first=$(snapshot)
check "lab.sh up succeeds again" bash "$lab" up
second=$(snapshot)
if [ "$first" = "$second" ]; then
  ok "second up leaves the same state (links, addresses, sysctls, service pids)"
else
  not_ok "second up changed the state:"
  diff <(echo "$first") <(echo "$second") | head -20
fi
expect "all six namespaces exist" "$(printf '%s\n' "${prefix}"{client,dir,rs1,rs2,rs3,sw} | sort)" \
  "$(lab_namespaces | sort)"
status_out=$(bash "$lab" status 2>&1)
check "lab.sh status exits 0 on a complete lab" test $? -eq 0
check "status says the lab is complete" grep -qx "lab complete" <<<"$status_out"

echo "== layout"
for h in "${hosts[@]}"; do
  expect "$h eth0 has MAC ${mac[$h]}" "${mac[$h]}" \
    "$(ip -n "$prefix$h" -o link show dev eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)"
done
expect "client eth0 holds only 10.200.0.10/24" "10.200.0.10/24 " "$(eth0_addrs client eth0)"
expect "client's only route is the on-link /24" "10.200.0.0/24 dev eth0 proto kernel scope link" \
  "$(in_ns client ip -4 route show | sed 's/ src .*//')"
expect "client reaches the VIP on-link through eth0" "10.200.0.100 dev eth0 src 10.200.0.10" \
  "$(in_ns client ip -4 -o route get "$vip" | awk '{print $1, $2, $3, $4, $5}')"
expect "director eth0 holds its address and the VIP" "10.200.0.100/32 10.200.0.2/24 " \
  "$(eth0_addrs dir eth0)"
expect "director does not forward (ip_forward=0)" 0 "$(in_ns dir sysctl -n net.ipv4.ip_forward)"
for h in "${real_servers[@]}"; do
  expect "$h eth0 holds only ${addr[$h]}/24 (no VIP)" "${addr[$h]}/24 " "$(eth0_addrs "$h" eth0)"
  expect "$h lo holds the VIP" "10.200.0.100/32 127.0.0.1/8 " "$(eth0_addrs "$h" lo)"
  expect "$h arp_ignore=1 arp_announce=2 (all and eth0)" "1 1 2 2" \
    "$(in_ns "$h" sysctl -n net.ipv4.conf.all.arp_ignore net.ipv4.conf.eth0.arp_ignore \
      net.ipv4.conf.all.arp_announce net.ipv4.conf.eth0.arp_announce | tr '\n' ' ' | sed 's/ $//')"
done
expect "root namespace has no address or route in 10.200.0.0/24" "" "$(root_lab_leaks)"
expect "root namespace has no lab interface" "" \
  "$(ip -o link show | grep -E ': (to-(client|dir|rs[1-3])|br0)[@:]' || true)"

echo "== traffic from lvs-client"
for h in "${real_servers[@]}"; do
  expect "HTTP to $h's own address answers $h" "$h" "$(http_get "${addr[$h]}")"
  expect "UDP 9000 on $h's own address answers $h" "$h" "$(udp_ask "${addr[$h]}")"
done
expect "HTTP keep-alive: two requests share one connection" "1 0 " \
  "$(lab_http_get "http://${addr[rs1]}/" -m 3 -o /dev/null -o /dev/null -w '%{num_connects} ' \
    "http://${addr[rs1]}/")"
expect "GET /1m returns exactly 1 MiB" 1048576 \
  "$(lab_http_get "http://${addr[rs2]}/1m" -o /dev/null -w '%{size_download}')"
expect "responses carry X-Real-Server" "X-Real-Server: rs3" \
  "$(lab_http_get "http://${addr[rs3]}/" -m 3 -D - -o /dev/null | tr -d '\r' |
    grep -i '^X-Real-Server:')"
for h in dir rs1 rs2 rs3; do
  check "client pings $h (${addr[$h]})" client_pings "${addr[$h]}"
  expect "ARP for ${addr[$h]} is answered by $h's MAC only" "${mac[$h]}" \
    "$(arp_answerers "${addr[$h]}")"
done
expect "ARP for the VIP is answered by the director only" "$dir_mac" "$(arp_answerers "$vip")"

echo "== a UDP burst: 2000 datagrams from 2000 source ports, every one answered from its address"
# Each `>/dev/udp/...` is a new socket on a new source port; the replies are counted (and dropped,
# nothing listens for them) by source address at the client's prerouting hook.
in_ns client nft -f - <<NFT
table ip lab_test_burst {
  counter from_rip {}
  counter from_vip {}
  counter other {}
  chain pre {
    type filter hook prerouting priority 0; policy accept;
    ip saddr ${addr[rs1]} udp sport 9000 counter name "from_rip" drop
    ip saddr $vip udp sport 9000 counter name "from_vip" drop
    udp sport 9000 counter name "other" drop
  }
}
NFT
burst_counter() {
  in_ns client nft list counter ip lab_test_burst "$1" | grep -o 'packets [0-9]*' | cut -d' ' -f2
}
# Waits (up to 5 s) until counter NAME reaches WANT.
burst_answered() { [ "$(burst_counter "$1")" -ge "$2" ]; }
udp_burst() { in_ns client bash -c 'for i in $(seq 2000); do echo ping >/dev/udp/'"$1"'/9000; done'; }
udp_burst "${addr[rs1]}"
wait_for 50 burst_answered from_rip 2000
expect "UDP burst to rs1's own address: 2000 answers from ${addr[rs1]}" 2000 "$(burst_counter from_rip)"
in_ns client ip neigh replace "$vip" lladdr "${mac[rs1]}" dev eth0 nud permanent
udp_burst "$vip"
wait_for 50 burst_answered from_vip 2000
in_ns client ip neigh del "$vip" dev eth0
expect "UDP burst to the VIP framed to rs1's MAC: 2000 answers from the VIP" 2000 "$(burst_counter from_vip)"
expect "no UDP answer from any other address" 0 "$(burst_counter other)"
expect "rs1 dropped no datagram (Udp RcvbufErrors)" 0 \
  "$(in_ns rs1 awk '$1 == "Udp:" && $2 ~ /^[0-9]/ {print $6}' /proc/net/snmp)"
in_ns client nft delete table ip lab_test_burst

echo "== direct routing to each real server (the director's job, done by hand)"
# The client sends its VIP frames to one real server's MAC, as the director's rewrite will: the
# server must accept them (VIP on lo) and answer from the VIP straight to the client. The UDP
# client socket is connected to the VIP, so an answer from any other address would be dropped.
for h in "${real_servers[@]}"; do
  in_ns client ip neigh replace "$vip" lladdr "${mac[$h]}" dev eth0 nud permanent
  expect "HTTP to the VIP framed to $h's MAC answers $h" "$h" "$(http_get "$vip")"
  expect "UDP to the VIP framed to $h's MAC answers $h from the VIP" "$h" "$(udp_ask "$vip")"
done
in_ns client ip neigh del "$vip" dev eth0

echo "== up --no-vip, and back"
check "lab.sh up --no-vip succeeds" bash "$lab" up --no-vip
expect "director eth0 has no VIP with --no-vip" "10.200.0.2/24 " "$(eth0_addrs dir eth0)"
expect "nobody answers ARP for the VIP with --no-vip" "" "$(LAB_RETRIES=0 arp_answerers "$vip")"
check "status exits 0 with --no-vip" quiet bash "$lab" status
check "lab.sh up (default) succeeds" bash "$lab" up
expect "director eth0 has the VIP again" "10.200.0.100/32 10.200.0.2/24 " "$(eth0_addrs dir eth0)"
expect "ARP for the VIP is answered by the director again" "$dir_mac" "$(arp_answerers "$vip")"

echo "== status notices damage, up repairs it"
nginx_pid=$(cat "$run_dir/rs2/nginx.pid")
kill -TERM "$nginx_pid"
for _ in $(seq 50); do [ -e "/proc/$nginx_pid" ] || break; sleep 0.1; done
ip -n "${prefix}sw" link del dev to-rs3
bash "$lab" status >/dev/null 2>&1
check "status exits non-zero when rs2's nginx is gone and rs3 is unplugged" test $? -ne 0
check "lab.sh up repairs the lab" bash "$lab" up
expect "rs2 answers HTTP again" rs2 "$(http_get "${addr[rs2]}")"
expect "rs3 answers HTTP again" rs3 "$(http_get "${addr[rs3]}")"
expect "rs3 answers UDP again" rs3 "$(udp_ask "${addr[rs3]}")"
expect "rs3 eth0 has its MAC again" "${mac[rs3]}" \
  "$(ip -n "${prefix}rs3" -o link show dev eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)"

echo "== down, twice"
lab_pids=$(for n in $(lab_namespaces); do ip netns pids "$n"; done | sort -n | tr '\n' ' ')
check "lab processes were found before down" test -n "$lab_pids"
check "lab.sh down succeeds" bash "$lab" down
check "lab.sh down succeeds again" bash "$lab" down
expect "no lab namespaces after down" "" "$(lab_namespaces)"
# A zombie (exited, not yet reaped by whoever inherited it) has released everything: not alive.
alive=""
for pid in $lab_pids; do
  state=$(awk '/^State:/{print $2}' "/proc/$pid/status" 2>/dev/null)
  [ -n "$state" ] && [ "$state" != Z ] && alive+="$pid($(cat "/proc/$pid/comm" 2>/dev/null)) "
done
expect "no lab process survives down" "" "$alive"
check "the state directory $run_dir is gone" test ! -e "$run_dir"
expect "root namespace still has no lab address or route" "" "$(root_lab_leaks)"
bash "$lab" status >/dev/null 2>&1
check "status exits non-zero after down" test $? -ne 0

finish
