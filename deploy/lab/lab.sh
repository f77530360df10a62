#!/usr/bin/env bash
# The namespace lab (DESIGN.md §6): one L2 segment on one machine, real kernel, real packets.
#
#   deploy/lab/lab.sh up [--vip-on-director | --no-vip]   build (or repair) the lab; idempotent
#   deploy/lab/lab.sh down                                remove everything; safe to run twice
#   deploy/lab/lab.sh status                              summary; exit 0 only if the lab is complete
#
# Topology (all names and addresses fixed; MACs fixed so configs can use `mac:` and tests can
# assert on frames):
#
#   namespace    interface  address             MAC                 bridge port (in lvs-sw)
#   lvs-client   eth0       10.200.0.10/24      02:00:00:00:00:0a   to-client
#   lvs-dir      eth0       10.200.0.2/24       02:00:00:00:00:02   to-dir
#                           + VIP 10.200.0.100/32 unless `up --no-vip`
#   lvs-rs1      eth0       10.200.0.11/24      02:00:00:00:00:0b   to-rs1
#   lvs-rs2      eth0       10.200.0.12/24      02:00:00:00:00:0c   to-rs2
#   lvs-rs3      eth0       10.200.0.13/24      02:00:00:00:00:0d   to-rs3
#   lvs-sw       br0 (a bridge, no address, MAC 02:00:00:00:01:00; ports 02:00:00:00:01:<host byte>)
#
# Every link is created from inside lvs-sw straight into the host namespace, so the root namespace
# never holds a lab interface, address or route.
#
# Real servers (lvs-rs1..3):
#   - VIP 10.200.0.100/32 on lo; net.ipv4.conf.{all,eth0}.arp_ignore=1 and arp_announce=2, set
#     before the VIP is added so no real server ever answers ARP for it. Only the director answers
#     "who has 10.200.0.100". When lvs-agent is built (LVS_AGENT_BIN, default
#     <repo>/build/bin/lvs-agent) each real server runs it with config/examples/lab-agent.yaml and
#     the agent does all of this (and holds it: drift repaired, an nftables arp table dropping ARP
#     for the VIP, metrics and /healthz on 127.0.0.1:9470 inside the namespace; log
#     $RUN_DIR/rsN/agent.log). Without the binary the script sets the same by hand.
#   - HTTP: nginx on 0.0.0.0:80 (VIP and own address), keep-alive on; every response body names the
#     server ("rs1\n"), GET /1m returns 1 MiB (/1m-slow the same at 128 KiB/s); header
#     X-Real-Server: rsN. Config, pid, logs and temp files under $RUN_DIR/rsN/ (template:
#     deploy/lab/lab-nginx.conf).
#   - UDP 9000: answers every datagram with one datagram "rsN\n": the same nginx, its stream
#     module (Debian: libnginx-mod-stream), one UDP socket bound to the VIP and one to the
#     server's own address, because a UDP reply leaves from the address its socket is bound to: a
#     wildcard socket would answer VIP traffic from 10.200.0.1x and the client would discard it.
#     A single process (per worker), no fork per datagram: bursts of thousands of datagrams are
#     all answered; beyond what it can take, the surplus is dropped at the socket (counted in the
#     real server's Udp RcvbufErrors), so a flood is counted on interfaces instead.
#   Logs: $RUN_DIR/rsN/error.log.
#
# Director (lvs-dir): only the address(es) above. DR needs nothing else from its kernel: the
# director receives VIP traffic as local input (NFQUEUE) and re-sends each frame itself through
# AF_PACKET, so nothing is routed through it: ip_forward stays 0 (set explicitly). The VIP is on
# eth0 by default because the director runs with `vip-mode: external`; `up --no-vip` removes it
# (managed mode adds it itself). The director daemon is not started here (tests and the demo do).
#
# Every lab namespace: IPv6 disabled (no router/neighbour solicitations or MLD reports on the
# segment, so interface counters count only test traffic), ip_forward=0, rp_filter=0 (one segment,
# nothing to validate; set explicitly so the host distribution's default does not leak in).
#
# Environment (for running a private copy beside another lab; defaults are the fixed names):
#   LVS_LAB_PREFIX   namespace prefix, default "lvs-"; alone it gives a fully private lab: the
#                    state directory follows it (prefix h1- -> /run/h1-lab)
#   LVS_LAB_RUN_DIR  state directory, default /run/<prefix>lab (/run/lvs-lab for the default
#                    prefix); must be /run/NAME or /tmp/NAME. `up` records the prefix in it and
#                    refuses a directory recorded for another prefix; `down` then leaves such a
#                    directory (and the processes found through it) alone.
#   Everything `down` stops is found through this prefix: processes inside its namespaces, the
#   agents by their pid files (checked to run in its namespaces), and nginx masters whose
#   namespace is gone by their configuration path under its state directory.
#   LVS_AGENT_BIN    the real-server agent, default <repo>/build/bin/lvs-agent; "none" (or a
#                    path that is not executable) sets the sysctls and the VIP by hand instead
set -euo pipefail

readonly PREFIX=${LVS_LAB_PREFIX:-lvs-}
readonly RUN_DIR=${LVS_LAB_RUN_DIR:-/run/${PREFIX}lab}
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
readonly NGINX_TEMPLATE=$SCRIPT_DIR/lab-nginx.conf
REPO_DIR=$(cd "$SCRIPT_DIR/../.." && pwd)
readonly REPO_DIR
readonly AGENT_BIN=${LVS_AGENT_BIN:-$REPO_DIR/build/bin/lvs-agent}
readonly AGENT_CONFIG=$REPO_DIR/config/examples/lab-agent.yaml
readonly AGENT_METRICS=127.0.0.1:9470

readonly NET=10.200.0
readonly VIP=$NET.100
readonly HTTP_PORT=80
readonly UDP_PORT=9000
readonly HOSTS=(client dir rs1 rs2 rs3)
readonly REAL_SERVERS=(rs1 rs2 rs3)
declare -rA HOST_BYTE=([client]=10 [dir]=2 [rs1]=11 [rs2]=12 [rs3]=13)
declare -rA HOST_MAC=([client]=02:00:00:00:00:0a [dir]=02:00:00:00:00:02
  [rs1]=02:00:00:00:00:0b [rs2]=02:00:00:00:00:0c [rs3]=02:00:00:00:00:0d)
declare -rA PORT_MAC=([client]=02:00:00:00:01:0a [dir]=02:00:00:00:01:02
  [rs1]=02:00:00:00:01:0b [rs2]=02:00:00:00:01:0c [rs3]=02:00:00:00:01:0d)
readonly BRIDGE=br0
readonly BRIDGE_MAC=02:00:00:00:01:00

log() { echo "lab: $*" >&2; }
die() {
  echo "lab: error: $*" >&2
  exit 1
}

ns() { echo "${PREFIX}$1"; }
sw_ns() { ns sw; }
all_namespaces() {
  local h
  ns sw
  for h in "${HOSTS[@]}"; do ns "$h"; done
}
ns_exists() { [ -e "/run/netns/$1" ]; }
host_addr() { echo "$NET.${HOST_BYTE[$1]}"; }
rs_dir() { echo "$RUN_DIR/$1"; }

check_environment() {
  [[ $PREFIX =~ ^[a-z][a-z0-9-]{0,7}$ ]] ||
    die "LVS_LAB_PREFIX='$PREFIX' must be 1-8 characters [a-z0-9-] starting with a letter"
  [[ $RUN_DIR =~ ^/(run|tmp)/[A-Za-z0-9._-]+$ ]] ||
    die "LVS_LAB_RUN_DIR='$RUN_DIR' must be /run/NAME or /tmp/NAME (down removes it recursively)"
}

# The prefix that owns RUN_DIR, as `up` recorded it (empty if none recorded).
run_dir_owner() { cat "$RUN_DIR/prefix" 2>/dev/null || true; }
run_dir_is_ours() { local o; o=$(run_dir_owner); [ -z "$o" ] || [ "$o" = "$PREFIX" ]; }

require_root() {
  [ "$(id -u)" -eq 0 ] ||
    die "network namespaces need root (CAP_NET_ADMIN, CAP_SYS_ADMIN); run: sudo $0 $*"
}

require_tools() {
  local t missing=()
  for t in ip sysctl ss nginx setsid; do
    command -v "$t" >/dev/null 2>&1 || missing+=("$t")
  done
  [ ${#missing[@]} -eq 0 ] ||
    die "missing tools: ${missing[*]}; install them with: sudo deploy/install-deps.sh"
  [ -r "$NGINX_TEMPLATE" ] || die "nginx template not found: $NGINX_TEMPLATE"
  nginx_load_modules >/dev/null
}

# The main-context line that gives nginx its stream module (the lab's UDP service): Debian builds
# it as a dynamic module (libnginx-mod-stream); a build with it compiled in needs nothing.
readonly STREAM_MODULE=/usr/lib/nginx/modules/ngx_stream_module.so
nginx_load_modules() {
  if [ -r "$STREAM_MODULE" ]; then
    echo "load_module $STREAM_MODULE;"
  elif nginx -V 2>&1 | tr ' ' '\n' | grep -qx -- --with-stream; then
    echo "# the stream module is built into this nginx"
  else
    die "nginx has no stream module (the lab's UDP service); install it with: sudo deploy/install-deps.sh (libnginx-mod-stream)"
  fi
}

# Runs sysctl inside a namespace; -e: keys the kernel lacks (e.g. IPv6 disabled at boot) are skipped.
ns_sysctl() {
  local n=$1
  shift
  ip netns exec "$n" sysctl -q -e -w "$@" >/dev/null
}

# ---------------------------------------------------------------------------------------------
# up

ensure_namespace() {
  local n=$1
  ns_exists "$n" || ip netns add "$n"
  ip -n "$n" link set lo up
  ns_sysctl "$n" net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
    net.ipv4.ip_forward=0 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
}

ensure_bridge() {
  local sw
  sw=$(sw_ns)
  if ! ip -n "$sw" link show dev "$BRIDGE" >/dev/null 2>&1; then
    ip -n "$sw" link add "$BRIDGE" address "$BRIDGE_MAC" type bridge
  fi
  # No STP and no forwarding delay: ports forward the moment they come up. No multicast snooping:
  # nothing on this segment uses multicast, and it keeps the bridge a plain hub-with-learning.
  ip -n "$sw" link set "$BRIDGE" type bridge stp_state 0 forward_delay 0 mcast_snooping 0
  ip -n "$sw" link set "$BRIDGE" up
  # If br_netfilter is loaded, bridged frames would also traverse this namespace's iptables.
  ns_sysctl "$sw" net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-arptables=0
}

# Prints the ifindex of DEV in namespace N and, after a space, the ifindex of its veth peer
# (from "5: eth0@if6: ..."); nothing if DEV does not exist.
link_indexes() {
  ip -n "$1" -o link show dev "$2" 2>/dev/null |
    sed -n 's/^\([0-9]*\): [^@:]*@if\([0-9]*\):.*/\1 \2/p' || true
}

link_mac() {
  ip -n "$1" -o link show dev "$2" 2>/dev/null | sed -n 's/.* link\/ether \([0-9a-f:]*\) .*/\1/p' || true
}

ensure_mac() {
  local n=$1 dev=$2 mac=$3
  if [ "$(link_mac "$n" "$dev")" != "$mac" ]; then
    ip -n "$n" link set dev "$dev" down
    ip -n "$n" link set dev "$dev" address "$mac"
  fi
}

# The veth pair host:eth0 <-> lvs-sw:to-HOST, created from inside lvs-sw so it never exists in the
# root namespace. A half-broken pair (one end missing, or eth0 not paired with this port) is
# deleted and recreated.
ensure_link() {
  local h=$1 sw hn port sw_idx host_idx
  sw=$(sw_ns)
  hn=$(ns "$h")
  port=to-$h
  sw_idx=$(link_indexes "$sw" "$port")
  host_idx=$(link_indexes "$hn" eth0)
  if [ -z "$sw_idx" ] || [ -z "$host_idx" ] ||
    [ "${sw_idx%% *}" != "${host_idx##* }" ] || [ "${host_idx%% *}" != "${sw_idx##* }" ]; then
    [ -n "$sw_idx" ] && ip -n "$sw" link del dev "$port"
    ip -n "$hn" link del dev eth0 2>/dev/null || true
    ip -n "$sw" link add name "$port" address "${PORT_MAC[$h]}" type veth \
      peer name eth0 address "${HOST_MAC[$h]}" netns "$hn"
  fi
  ensure_mac "$sw" "$port" "${PORT_MAC[$h]}"
  ensure_mac "$hn" eth0 "${HOST_MAC[$h]}"
  ns_sysctl "$sw" "net.ipv6.conf.$port.disable_ipv6=1"
  ns_sysctl "$hn" net.ipv6.conf.eth0.disable_ipv6=1
  ip -n "$sw" link set dev "$port" master "$BRIDGE" up
}

configure_client() {
  local n
  n=$(ns client)
  ip -n "$n" addr replace "$(host_addr client)/24" dev eth0
  ip -n "$n" link set eth0 up
}

configure_director() {
  local vip_on_director=$1 n
  n=$(ns dir)
  ip -n "$n" addr replace "$(host_addr dir)/24" dev eth0
  if [ "$vip_on_director" = yes ]; then
    ip -n "$n" addr replace "$VIP/32" dev eth0
  else
    ip -n "$n" addr del "$VIP/32" dev eth0 2>/dev/null || true
  fi
  ip -n "$n" link set eth0 up
}

agent_available() { [ -x "$AGENT_BIN" ] && [ -r "$AGENT_CONFIG" ]; }

configure_real_server() {
  local h=$1 n
  n=$(ns "$h")
  if agent_available; then
    # The agent sets the sysctls and adds the VIP itself (ensure_agent), in that order.
    ns_sysctl "$n" net.ipv4.conf.eth0.rp_filter=0
    ip -n "$n" addr replace "$(host_addr "$h")/24" dev eth0
    ip -n "$n" link set eth0 up
    return 0
  fi
  # Silence ARP for the VIP before the VIP exists (as the agent will): arp_ignore=1 answers only
  # for addresses on the receiving interface (the VIP is on lo); arp_announce=2 never uses the
  # VIP as the source of our own ARP requests. The kernel uses max(all, eth0).
  ns_sysctl "$n" net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.eth0.arp_ignore=1 \
    net.ipv4.conf.all.arp_announce=2 net.ipv4.conf.eth0.arp_announce=2 \
    net.ipv4.conf.eth0.rp_filter=0
  ip -n "$n" addr replace "$VIP/32" dev lo
  ip -n "$n" addr replace "$(host_addr "$h")/24" dev eth0
  ip -n "$n" link set eth0 up
}

# Inode of a network namespace: two processes are in the same namespace iff these match.
netns_inode() { stat -L -c %i "$1" 2>/dev/null; }

# The pid of the process in namespace N that owns a listening socket matching the ss filter, and
# whose name is COMM; empty if none.
listener_pid() {
  local n=$1 proto=$2 comm=$3 filter=$4
  ip netns exec "$n" ss -H -"$proto"lnp "$filter" 2>/dev/null |
    grep -o "((\"$comm\",pid=[0-9]*" | head -n1 | sed 's/.*pid=//' || true
}

nginx_running() {
  local h=$1 n pid
  n=$(ns "$h")
  pid=$(cat "$(rs_dir "$h")/nginx.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -e "/proc/$pid" ] || return 1
  [ "$(netns_inode "/proc/$pid/ns/net")" = "$(netns_inode "/run/netns/$n")" ] || return 1
  [ -n "$(listener_pid "$n" t nginx "sport = :$HTTP_PORT")" ]
}

ensure_nginx() {
  local h=$1 n dir conf
  n=$(ns "$h")
  dir=$(rs_dir "$h")
  conf=$dir/nginx.conf
  mkdir -p "$dir/tmp" "$dir/www"
  chmod 755 "$RUN_DIR" "$dir" "$dir/www"
  if [ ! -s "$dir/www/1m" ]; then
    { printf '%s\n' "$h"; head -c $((1048576 - ${#h} - 1)) /dev/zero | tr '\0' 'x'; } \
      >"$dir/www/1m.new"
    chmod 644 "$dir/www/1m.new"
    mv "$dir/www/1m.new" "$dir/www/1m"
  fi
  sed -e "s|@NAME@|$h|g" -e "s|@DIR@|$dir|g" -e "s|@VIP@|$VIP|g" -e "s|@ADDR@|$(host_addr "$h")|g" \
    -e "s|@LOAD_MODULES@|$(nginx_load_modules)|" "$NGINX_TEMPLATE" >"$conf.new"
  if nginx_running "$h"; then
    if ! cmp -s "$conf.new" "$conf"; then
      mv "$conf.new" "$conf"
      log "$h: nginx configuration changed, reloading"
      ip netns exec "$n" nginx -q -t -c "$conf" -e "$dir/error.log" -p "$dir/" ||
        die "$h: new nginx configuration rejected (see above and $dir/error.log)"
      kill -HUP "$(cat "$dir/nginx.pid")"
    else
      rm -f "$conf.new"
    fi
    return 0
  fi
  mv "$conf.new" "$conf"
  # nginx binds its sockets before it daemonizes, so a failure to listen is reported here.
  ip netns exec "$n" nginx -c "$conf" -e "$dir/error.log" -p "$dir/" ||
    die "$h: nginx did not start (see $dir/error.log)"
}

agent_running() {
  local h=$1 pid
  pid=$(cat "$(rs_dir "$h")/agent.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -e "/proc/$pid" ] || return 1
  [ "$(netns_inode "/proc/$pid/ns/net")" = "$(netns_inode "/run/netns/$(ns "$h")")" ] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = lvs-agent ]
}

agent_healthy() {
  ip netns exec "$(ns "$1")" curl -fs -m 1 "http://$AGENT_METRICS/healthz" >/dev/null 2>&1
}

# A process that exists and has not exited (a zombie has).
process_alive() {
  local state
  state=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null || true)
  [ -n "$state" ] && [ "$state" != Z ]
}

# Starts lvs-agent in the real server's namespace (unless it runs already) and waits (up to
# ~10 s) until it holds the VIP and answers /healthz 200. Gives up early only if the agent it
# started exited: until its exec chain (ip netns exec, setsid) reaches lvs-agent it is not yet
# "running" by agent_running's measure, which under load can take a while.
ensure_agent() {
  local h=$1 n dir i started=""
  n=$(ns "$h")
  dir=$(rs_dir "$h")
  if ! agent_running "$h"; then
    # setsid: detached from the caller's session, so it outlives `lab.sh up`.
    ip netns exec "$n" setsid "$AGENT_BIN" --config "$AGENT_CONFIG" </dev/null \
      >>"$dir/agent.log" 2>&1 &
    started=$!
    echo "$started" >"$dir/agent.pid"
  fi
  command -v curl >/dev/null 2>&1 || die "curl missing (to ask the agent's /healthz); install it"
  for i in $(seq 100); do
    if agent_healthy "$h"; then
      # The listener's pid is the agent's, whatever setsid did with the one recorded above.
      listener_pid "$n" t lvs-agent "sport = :${AGENT_METRICS##*:}" >"$dir/agent.pid.new"
      [ -s "$dir/agent.pid.new" ] && mv "$dir/agent.pid.new" "$dir/agent.pid"
      rm -f "$dir/agent.pid.new"
      return 0
    fi
    if [ -n "$started" ]; then
      process_alive "$started" || agent_running "$h" || break
    else
      agent_running "$h" || break
    fi
    sleep 0.1
  done
  tail -n 5 "$dir/agent.log" >&2 || true
  die "$h: lvs-agent did not become healthy (see $dir/agent.log)"
}

# The nginx of real server H answers UDP on ADDR:UDP_PORT (a socket bound to exactly that address).
udp_running() {
  local h=$1 addr=$2
  [ -n "$(listener_pid "$(ns "$h")" u nginx "src $addr:$UDP_PORT")" ]
}

# Waits until every real server's services listen (up to ~5 s).
wait_for_services() {
  local h i
  for h in "${REAL_SERVERS[@]}"; do
    for i in $(seq 50); do
      if nginx_running "$h" && udp_running "$h" "$VIP" && udp_running "$h" "$(host_addr "$h")"; then
        continue 2
      fi
      sleep 0.1
    done
    die "$h: services did not come up (see $(rs_dir "$h")/*.log); run '$0 status' for details"
  done
}

cmd_up() {
  local vip_on_director=yes h
  while [ $# -gt 0 ]; do
    case $1 in
    --vip-on-director) vip_on_director=yes ;;
    --no-vip) vip_on_director=no ;;
    *) die "up: unknown option '$1' (expected --vip-on-director or --no-vip)" ;;
    esac
    shift
  done
  run_dir_is_ours ||
    die "$RUN_DIR belongs to the lab with prefix '$(run_dir_owner)', not '$PREFIX' (unset LVS_LAB_RUN_DIR: it follows the prefix)"
  mkdir -p "$RUN_DIR"
  chmod 755 "$RUN_DIR"
  echo "$PREFIX" >"$RUN_DIR/prefix"
  echo "$vip_on_director" >"$RUN_DIR/vip-on-director"

  ensure_namespace "$(sw_ns)"
  ensure_bridge
  for h in "${HOSTS[@]}"; do
    ensure_namespace "$(ns "$h")"
    ensure_link "$h"
  done
  configure_client
  configure_director "$vip_on_director"
  for h in "${REAL_SERVERS[@]}"; do
    configure_real_server "$h"
    mkdir -p "$(rs_dir "$h")"
    # Before nginx: its UDP service binds to the VIP, which the agent adds.
    agent_available && ensure_agent "$h"
    ensure_nginx "$h"
  done
  wait_for_services
  if ! cmd_status >/dev/null; then
    cmd_status >&2 || true
    die "the lab is incomplete after 'up' (see above)"
  fi
  local rs_mode="hand-set sysctls and VIP"
  agent_available && rs_mode="lvs-agent $AGENT_BIN"
  log "up: $(all_namespaces | tr '\n' ' ')(VIP on director: $vip_on_director; real servers: $rs_mode)"
}

# ---------------------------------------------------------------------------------------------
# down

# Ends every process inside the lab's namespaces (nginx, a director or agent a test left
# behind): TERM, up to 3 s grace, then KILL. Only processes in these namespaces are touched.
stop_namespace_processes() {
  local n pids i
  for i in $(seq 30); do
    pids=()
    for n in $(all_namespaces); do
      ns_exists "$n" || continue
      mapfile -t -O "${#pids[@]}" pids < <(ip netns pids "$n" 2>/dev/null)
    done
    [ ${#pids[@]} -eq 0 ] && return 0
    if [ "$i" -eq 1 ]; then
      kill -TERM "${pids[@]}" 2>/dev/null || true
    elif [ "$i" -eq 30 ]; then
      log "down: processes still running after 3 s, killing: ${pids[*]}"
      kill -KILL "${pids[@]}" 2>/dev/null || true
    fi
    sleep 0.1
  done
}

# nginx masters whose namespace is already gone (someone deleted it by hand): found by the
# configuration path in their command line (`-c RUN_DIR/rsN/nginx.conf`), compared word for word.
stop_orphans() {
  local pid args i
  for pid in $(pgrep -x nginx 2>/dev/null || true); do
    mapfile -t args < <(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null || true)
    for i in "${!args[@]}"; do
      if [ "${args[$i]}" = -c ] && [[ ${args[$((i + 1))]:-} == "$RUN_DIR"/* ]]; then
        log "down: stopping orphaned lab process $pid (${args[*]})"
        kill -TERM "$pid" 2>/dev/null || true
        break
      fi
    done
  done
}

# The agents first, by their pid files (they leave the suppression in place on SIGTERM; the
# namespaces go away right after). stop_namespace_processes ends any that did not record one.
stop_agents() {
  local h pid
  for h in "${REAL_SERVERS[@]}"; do
    agent_running "$h" || continue
    pid=$(cat "$(rs_dir "$h")/agent.pid")
    kill -TERM "$pid" 2>/dev/null || true
  done
}

cmd_down() {
  [ $# -eq 0 ] || die "down: takes no options"
  local n ours=yes
  run_dir_is_ours || ours=no
  [ "$ours" = yes ] && stop_agents
  stop_namespace_processes
  [ "$ours" = yes ] && stop_orphans
  for n in $(all_namespaces); do
    ns_exists "$n" && ip netns del "$n"
  done
  if [ "$ours" = yes ]; then
    rm -rf "$RUN_DIR"
  else
    log "down: $RUN_DIR belongs to the lab with prefix '$(run_dir_owner)': left alone"
  fi
  log "down: lab removed"
}

# ---------------------------------------------------------------------------------------------
# status

problems=()
problem() { problems+=("$*"); }

# Prints a one-line summary of eth0 in namespace N and records problems against the expectations.
status_eth0() {
  local h=$1 n mac addrs state
  n=$(ns "$h")
  mac=$(link_mac "$n" eth0)
  state=$(ip -n "$n" -o link show dev eth0 2>/dev/null | grep -o 'state [A-Z]*' | cut -d' ' -f2)
  addrs=$(ip -n "$n" -o -4 addr show dev eth0 2>/dev/null | awk '{print $4}' | tr '\n' ' ')
  printf '  %-11s eth0 %s %s%s\n' "$n" "${mac:-no-eth0}" "${state:-?} " "$addrs"
  [ "$mac" = "${HOST_MAC[$h]}" ] || problem "$n: eth0 MAC is '${mac:-missing}', expected ${HOST_MAC[$h]}"
  [ "$state" = UP ] || problem "$n: eth0 is ${state:-missing}, expected UP"
  [[ " $addrs" == *" $(host_addr "$h")/24 "* ]] || problem "$n: eth0 lacks $(host_addr "$h")/24"
}

status_real_server() {
  local h=$1 n key val sysctls="" lo
  n=$(ns "$h")
  lo=$(ip -n "$n" -o -4 addr show dev lo 2>/dev/null | awk '{print $4}' | tr '\n' ' ')
  [[ " $lo" == *" $VIP/32 "* ]] || problem "$n: VIP $VIP/32 not on lo"
  ip -n "$n" -o -4 addr show dev eth0 2>/dev/null | grep -q " $VIP/" &&
    problem "$n: VIP is on eth0 (it must be on lo only)"
  local keys=(all.arp_ignore eth0.arp_ignore all.arp_announce eth0.arp_announce) vals=() i
  mapfile -t vals < <(ip netns exec "$n" sysctl -n "${keys[@]/#/net.ipv4.conf.}" 2>/dev/null)
  for i in "${!keys[@]}"; do
    key=${keys[$i]}
    val=${vals[$i]:-?}
    sysctls+="$key=$val "
    case $key in
    *arp_ignore) [ "$val" = 1 ] || problem "$n: net.ipv4.conf.$key=$val, expected 1" ;;
    *arp_announce) [ "$val" = 2 ] || problem "$n: net.ipv4.conf.$key=$val, expected 2" ;;
    esac
  done
  local http=down udp_vip=down udp_rip=down
  nginx_running "$h" && http="up(pid $(cat "$(rs_dir "$h")/nginx.pid"))"
  udp_running "$h" "$VIP" && udp_vip=up
  udp_running "$h" "$(host_addr "$h")" && udp_rip=up
  printf '  %-11s lo %s| %s\n' "" "$lo" "$sysctls"
  if [ -e "$(rs_dir "$h")/agent.pid" ]; then
    local agent=down
    if agent_running "$h"; then
      agent="up(pid $(cat "$(rs_dir "$h")/agent.pid"))"
      if agent_healthy "$h"; then agent+=" healthy"; else agent+=" UNHEALTHY"; fi
    fi
    printf '  %-11s lvs-agent %s\n' "" "$agent"
    [[ $agent == *" healthy" ]] || problem "$n: lvs-agent $agent (see $(rs_dir "$h")/agent.log)"
  fi
  printf '  %-11s http :%s %s | udp %s:%s %s, %s:%s %s\n' "" "$HTTP_PORT" "$http" \
    "$VIP" "$UDP_PORT" "$udp_vip" "$(host_addr "$h")" "$UDP_PORT" "$udp_rip"
  [ "$http" != down ] || problem "$n: nginx not running or not listening on :$HTTP_PORT"
  [ "$udp_vip" = up ] || problem "$n: UDP service not listening on $VIP:$UDP_PORT"
  [ "$udp_rip" = up ] || problem "$n: UDP service not listening on $(host_addr "$h"):$UDP_PORT"
}

status_root_namespace() {
  local leaks
  leaks=$( (ip -4 -o addr show; ip -4 route show table all) 2>/dev/null | grep -F " $NET." || true)
  if [ -n "$leaks" ]; then
    echo "  root namespace: LAB ADDRESSES OR ROUTES PRESENT"
    problem "root namespace has lab addresses/routes: $(echo "$leaks" | tr '\n' ';')"
  else
    echo "  root namespace: no address or route in $NET.0/24"
  fi
}

cmd_status() {
  [ $# -eq 0 ] || die "status: takes no options"
  local n h ports want_vip dir_addrs
  problems=()
  echo "namespaces:"
  for n in $(all_namespaces); do
    if ns_exists "$n"; then echo "  $n present"; else
      echo "  $n MISSING"
      problem "namespace $n missing"
    fi
  done
  echo "segment:"
  n=$(sw_ns)
  if ns_exists "$n"; then
    ports=$(ip -n "$n" -o link show master "$BRIDGE" 2>/dev/null |
      awk -F': ' '{sub(/@.*/, "", $2); print $2}' | sort | tr '\n' ' ')
    printf '  %-11s %s ports: %s\n' "$n" "$BRIDGE" "${ports:-none}"
    for h in "${HOSTS[@]}"; do
      [[ " $ports" == *" to-$h "* ]] || problem "$n: port to-$h not on $BRIDGE"
      ip -n "$n" -o link show dev "to-$h" 2>/dev/null | grep -q 'state UP' ||
        problem "$n: port to-$h not UP"
    done
  fi
  echo "hosts:"
  for h in "${HOSTS[@]}"; do
    ns_exists "$(ns "$h")" || continue
    status_eth0 "$h"
    case $h in
    dir)
      want_vip=$(cat "$RUN_DIR/vip-on-director" 2>/dev/null || echo yes)
      dir_addrs=$(ip -n "$(ns dir)" -o -4 addr show dev eth0 2>/dev/null | awk '{print $4}')
      printf '  %-11s VIP on director: %s\n' "" "$want_vip"
      if [ "$want_vip" = yes ]; then
        grep -qx "$VIP/32" <<<"$dir_addrs" || problem "$(ns dir): VIP $VIP/32 missing on eth0"
      else
        grep -qx "$VIP/32" <<<"$dir_addrs" &&
          problem "$(ns dir): VIP $VIP/32 on eth0 although 'up --no-vip'"
      fi
      ;;
    rs*) status_real_server "$h" ;;
    esac
  done
  status_root_namespace
  if [ ${#problems[@]} -eq 0 ]; then
    echo "lab complete"
    return 0
  fi
  echo "lab INCOMPLETE:"
  printf '  - %s\n' "${problems[@]}"
  return 1
}

main() {
  local cmd=${1:-}
  [ $# -gt 0 ] && shift
  check_environment
  case $cmd in
  up)
    require_root up
    require_tools
    cmd_up "$@"
    ;;
  down)
    require_root down
    cmd_down "$@"
    ;;
  status)
    require_root status
    cmd_status "$@"
    ;;
  *)
    echo "usage: $0 up [--vip-on-director | --no-vip] | down | status" >&2
    exit 2
    ;;
  esac
}

main "$@"
