#!/usr/bin/env bash
# lvsadm's command line against no daemon and against a stand-in director (socat serving canned
# control-protocol answers on a Unix socket in a private temp dir; no network, no root):
# usage errors exit 2 with ipvsadm's "Try" hint, an unreachable socket exits 1 with the
# client's message, unsupported commands exit 2, and listings print ipvsadm's exact layout.
# usage: lvsadm_cli_test.sh BIN_DIR SOURCE_DIR
set -uo pipefail
bin=$1
lvsadm=$bin/lvsadm
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
tmp=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

run() {  # run ARGS... -> sets out, err, rc
  out=$("$lvsadm" "$@" 2>"$tmp/err")
  rc=$?
  err=$(cat "$tmp/err")
}

# An lvsadm built before the control client was linked in would fail every check below for one
# reason; say that reason once.
if ! "$lvsadm" -h 2>/dev/null | grep -q -- "--socket PATH"; then
  echo "FAIL: $lvsadm has no control client (-L/--socket); is director/src/ctl linked into it?"
  exit 1
fi

try_hint="Try \`lvsadm -h' or 'lvsadm --help' for more information."

# --- usage errors: exit 2, nothing on stdout -------------------------------------------------
run -Lq
check "unknown short option: exit 2" 2 "$rc"
check "unknown short option: message" "lvsadm: unknown option '-q'
$try_hint" "$err"
check "unknown short option: no stdout" "" "$out"
run --bogus
check "unknown long option: exit 2" 2 "$rc"
check "unknown long option: message" "lvsadm: unknown option '--bogus'
$try_hint" "$err"
run -Lnc -t 10.200.0.100:80
check "-c with a service: exit 2" 2 "$rc"
run -Ln --socket
check "--socket without a path: exit 2" 2 "$rc"
check "--socket without a path: message" "lvsadm: option --socket requires a path
$try_hint" "$err"
run -L -t not-an-address
check "bad service address: exit 2" 2 "$rc"
run -Ln -w 3
check "edit option with -L: exit 2" 2 "$rc"

# --- table-changing commands: not supported yet, exit 2 ---------------------------------------
for args in "-A -t 10.200.0.100:80 -s rr" "-E -t 10.200.0.100:80 -s wlc" "-D -t 10.200.0.100:80" \
            "-C" "-a -t 10.200.0.100:80 -r 10.200.0.11:80 -g -w 1" "-e -t 10.200.0.100:80 -r 10.200.0.11:80 -w 2" \
            "-d -t 10.200.0.100:80 -r 10.200.0.11:80" "-Z" "-S -n" "-R"; do
  # shellcheck disable=SC2086
  run $args
  check "'$args' not supported: exit 2" 2 "$rc"
  case "$err" in
    *"is not supported yet"*) ok ;;
    *) not_ok "'$args' message: $err" ;;
  esac
done

# --- help: stdout, exit 0 ------------------------------------------------------------------
run -h
check "help: exit 0" 0 "$rc"
case "$out" in *"--socket PATH"*"simulate --config FILE"*) ok ;;
  *) not_ok "help text lacks --socket/simulate" ;; esac

# --- unreachable socket: exit 1 with the client's message ------------------------------------
run --socket "$tmp/nothing.sock" -Ln
check "no daemon: exit 1" 1 "$rc"
check "no daemon: message" \
  "lvsadm: cannot connect to $tmp/nothing.sock: No such file or directory (is lvs-director running?)" \
  "$err"
check "no daemon: no stdout" "" "$out"
run --socket="$tmp/nothing.sock" -Lnc
check "no daemon (-Lnc): exit 1" 1 "$rc"
# The default path, for a machine without a director (the usual test machine).
if [ ! -e /run/lvs/director.sock ]; then
  run -Ln
  check "default socket: exit 1" 1 "$rc"
  check "default socket: message" \
    "lvsadm: cannot connect to /run/lvs/director.sock: No such file or directory (is lvs-director running?)" \
    "$err"
fi

# --- a stand-in director ---------------------------------------------------------------------
if ! command -v socat >/dev/null; then
  echo "FAIL: socat is required (deploy/install-deps.sh installs it)"
  exit 1
fi
cat >"$tmp/list.txt" <<'RESP'
LVSCTL/1 OK 6
info version=1.2.1 size=4096 tcp=900 tcpfin=120 udp=300
service udp/10.200.0.100:53 scheduler=rr conns=3 inpkts=3 outpkts=0 inbytes=150 outbytes=0 cps=0 inpps=0 outpps=0 inbps=0 outbps=0
dest 10.200.0.13:53 forward=Route weight=1 active=0 inactive=3 persistent=0 uthreshold=0 lthreshold=0 conns=3 inpkts=3 outpkts=0 inbytes=150 outbytes=0 cps=0 inpps=0 outpps=0 inbps=0 outbps=0
service tcp/10.200.0.100:80 scheduler=wlc persistent=300 conns=250000000 inpkts=1500000000 outpkts=0 inbytes=123456789012 outbytes=0 cps=1 inpps=2 outpps=0 inbps=3 outbps=0
dest 10.200.0.12:80 forward=Route weight=2 active=5 inactive=1 persistent=0 uthreshold=0 lthreshold=0 conns=100000000 inpkts=600000000 outpkts=0 inbytes=49382715604 outbytes=0 cps=0 inpps=1 outpps=0 inbps=1 outbps=0
dest 10.200.0.11:80 forward=Route weight=3 active=9 inactive=2 persistent=0 uthreshold=0 lthreshold=0 conns=150000000 inpkts=900000000 outpkts=0 inbytes=74074073408 outbytes=0 cps=1 inpps=1 outpps=0 inbps=2 outbps=0
RESP
cat >"$tmp/conns.txt" <<'RESP'
LVSCTL/1 OK 3
info version=1.2.1 size=4096 tcp=900 tcpfin=120 udp=300
conn tcp 10.200.0.10:40000 10.200.0.100:80 10.200.0.11:80 ESTABLISHED 899999
conn udp 10.200.0.10:5353 10.200.0.100:53 10.200.0.13:53 UDP 61500
RESP
cat >"$tmp/serve.sh" <<SERVE
read -r request
cat >/dev/null
echo "\$request" >>"$tmp/requests"
case "\$request" in
  "LVSCTL/1 LIST-CONNECTIONS") cat "$tmp/conns.txt" ;;
  "LVSCTL/1 LIST") cat "$tmp/list.txt" ;;
  *) echo "LVSCTL/1 ERROR unknown request" ;;
esac
SERVE
sock=$tmp/director.sock
socat "UNIX-LISTEN:$sock,fork" "SYSTEM:bash $tmp/serve.sh" 2>"$tmp/socat.err" &
server_pid=$!
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done

run --socket "$sock" -Ln
check "-Ln: exit 0" 0 "$rc"
check "-Ln: ipvsadm layout, sorted" "IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  10.200.0.100:80 wlc persistent 300
  -> 10.200.0.11:80               Route   3      9          2         
  -> 10.200.0.12:80               Route   2      5          1         
UDP  10.200.0.100:53 rr
  -> 10.200.0.13:53               Route   1      0          3         " "$out"

run -Ln --stats --socket "$sock"
check "-Ln --stats: exit 0" 0 "$rc"
check "-Ln --stats: abbreviated" "IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes
  -> RemoteAddress:Port
TCP  10.200.0.100:80               250000K    1500M        0     123G        0
  -> 10.200.0.11:80                150000K  900000K        0   74074M        0
  -> 10.200.0.12:80                100000K  600000K        0   49382M        0
UDP  10.200.0.100:53                     3        3        0      150        0
  -> 10.200.0.13:53                      3        3        0      150        0" "$out"

run -Ln --stats --exact --socket "$sock" -t 10.200.0.100:80
check "-Ln --stats --exact -t: one service, exact" "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes
  -> RemoteAddress:Port
TCP  10.200.0.100:80              250000000 1500000000        0 123456789012        0
  -> 10.200.0.11:80               150000000 900000000        0 74074073408        0
  -> 10.200.0.12:80               100000000 600000000        0 49382715604        0" "$out"

run --socket "$sock" -Ln --rate
check "-Ln --rate" "IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS
  -> RemoteAddress:Port
TCP  10.200.0.100:80                     1        2        0        3        0
  -> 10.200.0.11:80                      1        1        0        2        0
  -> 10.200.0.12:80                      0        1        0        1        0
UDP  10.200.0.100:53                     0        0        0        0        0
  -> 10.200.0.13:53                      0        0        0        0        0" "$out"

run --socket "$sock" -Lnc
check "-Lnc: exit 0" 0 "$rc"
check "-Lnc" "IPVS connection entries
pro expire state       source             virtual            destination
TCP 14:59  ESTABLISHED 10.200.0.10:40000  10.200.0.100:80    10.200.0.11:80
UDP 01:01  UDP         10.200.0.10:5353   10.200.0.100:53    10.200.0.13:53" "$out"

run --socket "$sock" -L --timeout
check "--timeout" "Timeout (tcp tcpfin udp): 900 120 300" "$out"

run --socket "$sock" -Lnt 10.200.0.100:8080
check "missing service: exit 1" 1 "$rc"
check "missing service: message" "No such service" "$err"

check "requests on the wire" "LVSCTL/1 LIST
LVSCTL/1 LIST
LVSCTL/1 LIST
LVSCTL/1 LIST
LVSCTL/1 LIST-CONNECTIONS
LVSCTL/1 LIST
LVSCTL/1 LIST" "$(cat "$tmp/requests")"

finish lvsadm_cli_test
