#!/usr/bin/env bash
# End-to-end tests of `lvsadm simulate`: decision sequences derived by hand from the kernel's
# algorithms (net/netfilter/ipvs/ip_vs_{rr,wrr,wlc,lc}.c, ip_vs_core.c persistence), and the
# simulator's contract (one line per `new`, errors with line numbers, nothing on bad input).
# usage: simulate_test.sh BIN_DIR SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
cfg=$src/tests/cli/data/three-rr.yaml
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

sim() { "$bin/lvsadm" simulate --config "$cfg" --events - 2>/dev/null; }

# rr: list order .13 .12 .11 (reverse of the file); the pointer starts at the list head.
check "rr walks the list from the head" \
  "$(printf '%s\n' 10.200.0.13:80 10.200.0.12:80 10.200.0.11:80 10.200.0.13:80 10.200.0.12:80)" \
  "$(printf 'new 10.0.0.%d:1000\n' 1 2 3 4 5 | sim)"

# rr: a quiesced server (weight 0) is skipped; edit does not move it in the list.
check "rr skips weight 0" \
  "$(printf '%s\n' 10.200.0.13:80 10.200.0.11:80 10.200.0.13:80 10.200.0.12:80)" \
  "$(sim <<'EV'
new 10.0.0.1:1000
edit tcp/10.200.0.100:80 10.200.0.12:80 0
new 10.0.0.2:1000
new 10.0.0.3:1000
edit tcp/10.200.0.100:80 10.200.0.12:80 1
new 10.0.0.4:1000
EV
)"

# wrr, list .13(w1) .12(w2) .11(w3): after the -a's, cw = 1 (ip_vs_wrr_dest_changed: cw was 0
# → mw = 1 for the first add, then kept), so the first pass takes every server with weight >= 1;
# then the classic cycle cw = 3, 2, 1: .11 | .12 .11 | .13 .12 .11.
check "wrr interleaving after load" \
  "$(printf '%s\n' 10.200.0.13:81 10.200.0.12:81 10.200.0.11:81 10.200.0.11:81 10.200.0.12:81 \
      10.200.0.11:81 10.200.0.13:81 10.200.0.12:81 10.200.0.11:81 10.200.0.11:81)" \
  "$(for i in $(seq 1 10); do echo "new 10.0.1.$i:1000 tcp/10.200.0.100:81"; done | sim)"

# wlc, equal weights, list .13 .12 .11: ties go to the head; established connections weigh 256,
# a finished one (FIN_WAIT, inactive) 1. After 4: .13=512 .12=256 .11=256; fin 1 → .13=257;
# the 5th ties .12/.11 at 256 → .12 (nearer the head); 6th → .11.
check "wlc ties and inactive weight" \
  "$(printf '%s\n' 10.200.0.13:82 10.200.0.12:82 10.200.0.11:82 10.200.0.13:82 10.200.0.12:82 10.200.0.11:82)" \
  "$(sim <<'EV'
new 10.0.2.1:1000 tcp/10.200.0.100:82
new 10.0.2.2:1000 tcp/10.200.0.100:82
new 10.0.2.3:1000 tcp/10.200.0.100:82
new 10.0.2.4:1000 tcp/10.200.0.100:82
fin 1
new 10.0.2.5:1000 tcp/10.200.0.100:82
new 10.0.2.6:1000 tcp/10.200.0.100:82
EV
)"

# wlc with weights .11=1 .12=2 (list .12 .11): overhead/weight 0/2,0/1 → .12; 256/2 vs 0 → .11;
# 256/2 vs 256/1 → .12; 512/2 vs 256/1 tie → .12 (head); 768/2 vs 256/1 → .11.
check "wlc weights" \
  "$(printf '%s\n' 10.200.0.12:83 10.200.0.11:83 10.200.0.12:83 10.200.0.12:83 10.200.0.11:83)" \
  "$(for i in 1 2 3 4 5; do echo "new 10.0.3.$i:1000 tcp/10.200.0.100:83"; done | sim)"

# lc ignores weights (5 vs 1): list .12 .11 → .12, .11, .12, .11.
check "lc ignores weight" \
  "$(printf '%s\n' 10.200.0.12:85 10.200.0.11:85 10.200.0.12:85 10.200.0.11:85)" \
  "$(for i in 1 2 3 4; do echo "new 10.0.4.$i:1000 tcp/10.200.0.100:85"; done | sim)"

# Connections expire: after `close` and after their timeout they stop counting for lc.
# 1 → .12 (list head), 2 → .11; close 1 → .12 empty → 3 → .12; 4 → .11 (tie .12=256 .11=256? no:
# .12=256, .11=256 → head .12). Then tick 901: every ESTABLISHED connection (900 s) is gone.
check "close and expiry release servers" \
  "$(printf '%s\n' 10.200.0.12:85 10.200.0.11:85 10.200.0.12:85 10.200.0.12:85 10.200.0.12:85)" \
  "$(sim <<'EV'
new 10.0.5.1:1000 tcp/10.200.0.100:85
new 10.0.5.2:1000 tcp/10.200.0.100:85
close 1
new 10.0.5.3:1000 tcp/10.200.0.100:85
new 10.0.5.4:1000 tcp/10.200.0.100:85
tick 901
new 10.0.5.5:1000 tcp/10.200.0.100:85
EV
)"

# Persistence (-p 300) on rr .13 .12 .11: the same client sticks while its template lives; the
# template is re-armed on every use and outlives its connections by the persistence timeout.
check "persistence template" \
  "$(printf '%s\n' 10.200.0.13:84 10.200.0.13:84 10.200.0.12:84 10.200.0.13:84 10.200.0.11:84)" \
  "$(sim <<'EV'
new 10.0.6.1:1000 tcp/10.200.0.100:84
tick 10
new 10.0.6.1:1001 tcp/10.200.0.100:84
new 10.0.6.2:1000 tcp/10.200.0.100:84
close 1
close 2
close 3
tick 200
new 10.0.6.1:1002 tcp/10.200.0.100:84
close 4
tick 301
new 10.0.6.1:1003 tcp/10.200.0.100:84
EV
)"

# UDP: each new flow is a connection; `fin` does nothing to UDP.
check "udp rr" \
  "$(printf '%s\n' 10.200.0.12:53 10.200.0.11:53 10.200.0.12:53)" \
  "$(printf 'new 10.0.7.%d:5000 udp/10.200.0.100:53\nfin 1\n' 1 2 3 | sim)"

# hash_32(x, 8) = (x * 0x61C88647 mod 2^32) >> 24 on the host-order address (mainline
# ip_vs_sh_hashkey / ip_vs_dh_hashkey). Worked values: 10.0.9.1 → 52, 10.0.9.2 → 150,
# 10.0.9.3 → 248, 10.0.9.4 → 89, 10.0.9.5 → 187, 10.0.9.6 → 29; with sh-port the port is added
# first: 10.0.9.4+1000 → odd, +1001 → even, +1002 → even; 10.0.9.5+1000..1002 → even.
# sh, weights 1/1, list .12 .11: bucket b belongs to list[b % 2] (ip_vs_sh_reassign).
check "sh hashes the client address" \
  "$(printf '%s\n' 10.200.0.12:86 10.200.0.12:86 10.200.0.12:86 10.200.0.11:86 10.200.0.11:86 10.200.0.11:86 10.200.0.11:86)" \
  "$(printf 'new 10.0.9.%s tcp/10.200.0.100:86\n' 1:1 2:1 3:1 4:1 5:1 6:1 4:2 | sim)"
check "sh-port hashes address + port" \
  "$(printf '%s\n' 10.200.0.11:87 10.200.0.12:87 10.200.0.12:87 10.200.0.12:87)" \
  "$(printf 'new 10.0.9.%s tcp/10.200.0.100:87\n' 4:1000 4:1001 4:1002 5:1000 | sim)"
# sh-fallback, list .13 .12 .11: 10.0.9.1 → bucket 52 → list[52 % 3] = .12; quiesced, the
# fallback probes (offset + 2*52) % 256 = 104 → list[104 % 3] = .11. Without the flag: "-".
check "sh-fallback probes past a quiesced server" \
  "$(printf '%s\n' 10.200.0.12:88 10.200.0.11:88 - 10.200.0.13:88)" \
  "$(sim <<'EV'
new 10.0.9.1:1 tcp/10.200.0.100:88
edit tcp/10.200.0.100:88 10.200.0.12:88 0
new 10.0.9.1:2 tcp/10.200.0.100:88
edit tcp/10.200.0.100:86 10.200.0.12:86 0
new 10.0.9.1:3 tcp/10.200.0.100:86
new 10.0.9.2:1 tcp/10.200.0.100:88
EV
)"
# dh on fwmark 1, list .13 .12 .11 (ports 0): bucket hash_32(daddr) → list[b % 3];
# .100 → 223 → .12, .101 → 65 → .11, .102 → 163 → .12, .104 → 102 → .13. Same daddr, same server.
check "dh hashes the destination address" \
  "$(printf '%s\n' 10.200.0.12:0 10.200.0.11:0 10.200.0.12:0 10.200.0.13:0 10.200.0.12:0)" \
  "$(printf 'new 10.0.10.%s fwm/1 10.200.0.%s\n' 1:1 100:80 2:1 101:80 3:1 102:80 4:1 104:443 5:1 100:443 | sim)"
# lblc, weights 1/1, list .12 .11, one VIP: the first pick is wlc's (.12); it stays until it has
# more active connections than its weight while another server has active*2 < weight (3rd
# connection), then wlc picks .11 and the entry follows; .11 with 2 active is not "overloaded"
# because no server has active*2 < weight any more.
check "lblc sticks until locality-overloaded" \
  "$(printf '%s\n' 10.200.0.12:89 10.200.0.12:89 10.200.0.11:89 10.200.0.11:89 10.200.0.11:89)" \
  "$(printf 'new 10.0.11.%d:1 tcp/10.200.0.100:89\n' 1 2 3 4 5 | sim)"
# lblcr: the set starts {.12}; at the 3rd connection .12 is overloaded, wlc adds .11 at the set's
# head; then the least loaded member wins, ties to the set head (.11).
check "lblcr grows its server set" \
  "$(printf '%s\n' 10.200.0.12:90 10.200.0.12:90 10.200.0.11:90 10.200.0.11:90 10.200.0.11:90)" \
  "$(printf 'new 10.0.12.%d:1 tcp/10.200.0.100:90\n' 1 2 3 4 5 | sim)"

# A `new` that finds no server prints "-" and still takes its number.
check "no server prints - and keeps numbering" \
  "$(printf '%s\n' - 10.200.0.13:80)" \
  "$(sim <<'EV'
edit tcp/10.200.0.100:80 10.200.0.11:80 0
edit tcp/10.200.0.100:80 10.200.0.12:80 0
edit tcp/10.200.0.100:80 10.200.0.13:80 0
new 10.0.8.1:1000
edit tcp/10.200.0.100:80 10.200.0.13:80 1
fin 1
close 1
new 10.0.8.2:1000
EV
)"

# Contract: a malformed events file is rejected whole (exit 1, nothing on stdout, line numbers).
out=$(printf 'new 10.0.0.1:1\nbogus\nnew 10.0.0.2:1\n' | "$bin/lvsadm" simulate --config "$cfg" 2>/tmp/lvs-sim-err.$$)
rc=$?
check "bad events: exit 1" "1" "$rc"
check "bad events: no stdout" "" "$out"
check "bad events: line number" "<stdin>:2: unknown event 'bogus' (expected new, fin, close, add, edit, del or tick)" \
  "$(head -1 /tmp/lvs-sim-err.$$)"
rm -f /tmp/lvs-sim-err.$$

# Run-time problems (as ipvsadm would report them) keep the run going but exit 1.
out=$(printf 'add tcp/10.200.0.100:80 10.200.0.11:80 1\nnew 10.0.0.1:1\n' | "$bin/lvsadm" simulate --config "$cfg" 2>/dev/null)
rc=$?
check "duplicate add: exit 1" "1" "$rc"
check "duplicate add: output still complete" "10.200.0.13:80" "$out"

# Issue 13: `add` without -x/-y is `ipvsadm -a` without them, thresholds 0, so the file's
# u-threshold 3 no longer refuses the fourth connection; with -x 3 it does again. A bad -y is
# one error naming its line.
one=$(mktemp --suffix=.yaml)
printf '%s\n' 'services:' '  - tcp-service: 10.200.0.100:80' '    scheduler: wlc' \
  '    real-servers:' '      - {real-server: 10.200.0.11:80, weight: 1, u-threshold: 3}' >"$one"
readd() {  # readd [OPTIONS]: del, add with OPTIONS, four connections
  printf 'del tcp/10.200.0.100:80 10.200.0.11:80\nadd tcp/10.200.0.100:80 10.200.0.11:80 1 %s\n' "$*"
  printf 'new 10.0.13.%d:1000\n' 1 2 3 4
}
check "add without -x sends thresholds 0" \
  "$(printf '%s\n' 10.200.0.11:80 10.200.0.11:80 10.200.0.11:80 10.200.0.11:80)" \
  "$(readd | "$bin/lvsadm" simulate --config "$one" --events - 2>&1)"
check "add -x 3 applies it" \
  "$(printf '%s\n' 10.200.0.11:80 10.200.0.11:80 10.200.0.11:80 -)" \
  "$(readd -x 3 | "$bin/lvsadm" simulate --config "$one" --events - 2>&1)"
err=$(readd -x 3 -y 4 | "$bin/lvsadm" simulate --config "$one" --events - 2>&1 >/dev/null)
check "add -y above -x: one error with the line" \
  "<stdin>:2: add: l-threshold (4) must not exceed u-threshold (3)" "$(head -1 <<<"$err")"
rm -f "$one"

# A broken config is rejected with file:line:col.
bad=$(mktemp --suffix=.yaml)
printf 'services:\n  - tcp-service: 10.200.0.100:80\n    schedulr: rr\n' >"$bad"
err=$("$bin/lvsadm" simulate --config "$bad" --events /dev/null 2>&1 >/dev/null)
rc=$?
check "bad config: exit 1" "1" "$rc"
case "$err" in
  "$bad:3:5: services[0].schedulr:"*) ok ;;
  *) not_ok "bad config message: $err" ;;
esac
rm -f "$bad"

# Wrong arguments.
"$bin/lvsadm" simulate --bogus >/dev/null 2>&1
check "unknown argument: exit 2" "2" "$?"
"$bin/lvsadm" simulate >/dev/null 2>&1
check "missing --config: exit 2" "2" "$?"

# --random-seed: a decimal 0..2^64-1 or exit 2 with a one-line reason; the same seed, the same
# twos decisions; lvs-director checks it the same way before reading anything.
twos_cfg=$(mktemp)
cat >"$twos_cfg" <<'YAML'
services:
  - tcp-service: 10.200.0.100:80
    scheduler: twos
    real-servers:
      - {real-server: 10.200.0.11:80, weight: 3}
      - {real-server: 10.200.0.12:80, weight: 2}
      - {real-server: 10.200.0.13:80, weight: 1}
YAML
twos_events=$(for i in $(seq 40); do echo "new 10.0.0.1:$((1000 + i))"; done)
for bad_seed in -1 18446744073709551616 12x "" " 7"; do
  err=$("$bin/lvsadm" simulate --config "$twos_cfg" --random-seed "$bad_seed" --events - \
    <<<"$twos_events" 2>&1 >/dev/null)
  rc=$?
  check "simulate --random-seed '$bad_seed': exit 2" "2" "$rc"
  case "$err" in
    *"--random-seed wants a decimal number from 0 to 18446744073709551615"*) ok ;;
    *) not_ok "simulate --random-seed '$bad_seed' message: $err" ;;
  esac
  "$bin/lvs-director" --config "$twos_cfg" --random-seed "$bad_seed" --check >/dev/null 2>&1
  check "lvs-director --random-seed '$bad_seed': exit 2" "2" "$?"
done
a=$("$bin/lvsadm" simulate --config "$twos_cfg" --random-seed 18446744073709551615 --events - <<<"$twos_events")
b=$("$bin/lvsadm" simulate --config "$twos_cfg" --random-seed 18446744073709551615 --events - <<<"$twos_events")
c=$("$bin/lvsadm" simulate --config "$twos_cfg" --random-seed 2 --events - <<<"$twos_events")
check "twos: the same seed gives the same 40 decisions" "$a" "$b"
if [[ $(wc -l <<<"$a") -eq 40 && "$a" != "$c" ]]; then ok; else
  not_ok "twos: 40 decisions, and another seed gives another sequence"
fi
rm -f "$twos_cfg"

finish
