#!/usr/bin/env bash
# Datagrams larger than the MTU through the VIP (issue 12, finding 7; deliverable 4). The client's
# kernel fragments a 3000-byte UDP datagram, the director's kernel reassembles it before the
# queue hook, and the director must send it on as IPVS would (ip_vs_xmit.c, ip_output.c):
#   - 40 datagrams of 3000 bytes (IP total length) from 40 new flows: every one answered by a
#     real server; on the wire director -> real server they are fragments (bridge counter on
#     non-first fragments); lvs_forward_fragmented_total/fragments_total count them; no
#     send_message_too_long
#   - DF set (a probe sends the datagram as DF-set fragments, which the director's kernel
#     reassembles into a 3000-byte packet that keeps DF): the client receives ICMP type 3 code 4
#     from the VIP carrying MTU 1500 and quoting 548 bytes (icmp_send()'s 576-byte room); the
#     packet is counted (fragmentation_needed, lvs_icmp_frag_needed_total{result="sent"}) and
#     creates no connection entry
#   - the MTU followed: the director's and client's eth0 set to 1400 -> lvs_link_mtu 1400 within
#     a few seconds, and 3000-byte datagrams still all answered, now in fragments of <= 1400
#
#   bash tests/lab/fragment_test.sh BIN_DIR SOURCE_DIR       (as ctest runs it)
#
# Every packet is sent from the client namespace to addresses inside the lab. Exit 77 (skipped)
# when not root, unless CI=true. LVS_LAB_PREFIX runs it on a private copy of the lab.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

lab_director_test "$@"
lab_require_tools python3
probe=$src_dir/tests/lab/df_fragments_probe.py

readonly VIP=$LAB_VIP MAC_DIR=02:00:00:00:00:02
readonly MACS_RS="02:00:00:00:00:0b, 02:00:00:00:00:0c, 02:00:00:00:00:0d"
readonly SIZE=3000 FLOWS=40
config=$tmp/director.yaml
metrics_port=9469

# Frames from the director to a real server that are non-first fragments, and their largest size.
install_bridge_counters() {
  in_ns sw nft -f - <<NFT
table bridge fragment_test {
  counter dir_to_rs_fragments {}
  counter dir_to_rs_over_1400 {}
  chain prerouting {
    type filter hook prerouting priority 0; policy accept;
    ether saddr $MAC_DIR ether daddr { $MACS_RS } ip daddr $VIP ip frag-off & 0x1fff != 0 counter name "dir_to_rs_fragments"
    ether saddr $MAC_DIR ether daddr { $MACS_RS } ip daddr $VIP ip length > 1400 counter name "dir_to_rs_over_1400"
  }
}
NFT
}
counter_packets() {
  in_ns sw nft list counter bridge fragment_test "$1" | grep -o 'packets [0-9]*' | cut -d' ' -f2
}

# big_udp PORT: one SIZE-byte datagram from the client's UDP port PORT to the VIP; the answer
# ("rs1") or "none". Unanswered: sent again from the same port (the same flow), up to LAB_RETRIES
# times, each retry counted (lib.sh's policy; on old main none is ever answered).
big_udp() {
  local out try waits=(1 2 3)
  head -c $((SIZE - 28)) /dev/zero | tr '\0' x >"$tmp/datagram"
  for ((try = 0; ; try++)); do
    out=$(in_ns client socat -T3 -t "${waits[$try]:-3}" - \
      "UDP4:$VIP:$LAB_UDP_PORT,sourceport=$1,reuseaddr" <"$tmp/datagram" 2>/dev/null |
      head -n 1) || true
    [[ -n $out || $try -ge ${LAB_RETRIES:-2} ]] && break
    lab_note_retry "UDP unanswered" "$SIZE-byte UDP to $VIP:$LAB_UDP_PORT from port $1"
  done
  echo "${out:-none}"
}
big_udp_flows() {  # big_udp_flows N: N new flows, one answer line each
  local first i
  first=$(lab_next_ports udp "$1")
  for ((i = 0; i < $1; i++)); do big_udp $((first + i)); done
}

lab_up
director_config "$src_dir/config/examples/lab.yaml" "$config" "$metrics_port"
if ! director_up "$config"; then
  not_ok "director installed its nft table within 10 s"
  finish
fi
ok "director running"
install_bridge_counters || { not_ok "bridge counters installed"; finish; }
check "the director reads the link MTU (lvs_link_mtu 1500)" wait_metric lvs_link_mtu "" 1500

# --- 3000-byte datagrams, DF clear: fragmented again -----------------------------------------
answers=$(big_udp_flows $FLOWS)
echo "     $FLOWS x $SIZE-byte datagrams: $(tally <<<"$answers")"
check "all $FLOWS datagrams of $SIZE bytes answered by a real server" \
  [ "$(answered "$answers")" -eq $FLOWS ]
frags=$(counter_packets dir_to_rs_fragments)
echo "     non-first fragments director -> real servers on the wire: $frags"
check "they reached the real servers as fragments ($frags non-first fragments >= $FLOWS)" \
  [ "${frags:-0}" -ge $FLOWS ]
director_scrape
fragmented=$(metric lvs_forward_fragmented_total)
fragments=$(metric lvs_forward_fragments_total)
echo "     lvs_forward_fragmented_total $fragmented, lvs_forward_fragments_total $fragments"
check_expr "lvs_forward_fragmented_total counts them ($fragmented >= $FLOWS, retries included)" \
  '[ "${fragmented:-0}" -ge $FLOWS ]'
# 2980 bytes of payload in 1480-byte slices: 1480 + 1480 + 20.
check_expr "3 fragments each, retries included ($fragments == 3 x $fragmented)" \
  '[ -n "$fragments" ] && [ "$fragments" -eq $((3 * ${fragmented:-0})) ]'
check "no send failed for its size (send_message_too_long 0)" \
  metric_is lvs_forward_errors_total 'reason="send_message_too_long"' 0

# --- DF set: ICMP fragmentation needed, no connection ----------------------------------------
# UDP connection entries now, from the director itself (lvsadm -Lnc: no publication delay).
udp_entries() { in_ns dir "$lvsadm_bin" --socket "$sock" -L -n -c | grep -c '^UDP' || true; }
conns_before=$(udp_entries)
icmp=$(in_ns client python3 "$probe" "$LAB_CLIENT" "$VIP" "$LAB_UDP_PORT" $SIZE)
echo "     DF-set $SIZE-byte datagram: $icmp"
expect "the client got ICMP fragmentation needed from the VIP, MTU 1500, 548 bytes quoted" \
  "frag-needed mtu=1500 from=$VIP quote=548" "$icmp"
check "counted: lvs_icmp_frag_needed_total{result=\"sent\"} 1" \
  wait_metric lvs_icmp_frag_needed_total 'result="sent"' 1
check "counted: lvs_forward_errors_total{reason=\"fragmentation_needed\"} 1" \
  metric_is lvs_forward_errors_total 'reason="fragmentation_needed"' 1
conns_after=$(udp_entries)
check_expr "the refused datagram created no connection entry (lvsadm -Lnc: $conns_before -> $conns_after UDP entries)" \
  '[ "${conns_before:-0}" -ge $FLOWS ] && [ "$conns_before" == "$conns_after" ]'

# --- the MTU followed ------------------------------------------------------------------------
in_ns dir ip link set eth0 mtu 1400
in_ns client ip link set eth0 mtu 1400
check "the director follows the MTU change (lvs_link_mtu 1400)" wait_metric lvs_link_mtu "" 1400 50
check "the change is logged" log_has "interface MTU now 1400"
over_before=$(counter_packets dir_to_rs_over_1400)
answers=$(big_udp_flows 10)
check "after the change, 10 datagrams of $SIZE bytes all answered" [ "$(answered "$answers")" -eq 10 ]
expect "no frame from the director to a real server above 1400 bytes" \
  "$over_before" "$(counter_packets dir_to_rs_over_1400)"

check "the director is still running" director_running
finish
