#!/usr/bin/env bash
# The appliance's main job, as far as it is built: every IPVS scheduler making its decisions on
# the director's own scheduler and connection-table code, through `lvsadm simulate`.
#
#   deploy/lab/demo.sh            install what is missing, build, simulate, print the distribution
#
# It feeds deploy/lab/demo-events.txt (the same workload for each scheduler) to the simulator
# with config/examples/schedulers.yaml and prints, per scheduler, how many new connections each
# real server received. No root is needed beyond installing packages; no packet leaves the host.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
config=config/examples/schedulers.yaml
events=deploy/lab/demo-events.txt

echo "== dependencies"
bash deploy/install-deps.sh
echo "== build"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
echo "   build/bin/lvs-director, build/bin/lvsadm"

echo "== configuration check"
build/bin/lvs-director --config "$config" --check

echo "== simulate: $(grep -c '^new' "$events") new connections ($events)"
decisions=$(mktemp)
trap 'rm -f "$decisions"' EXIT
build/bin/lvsadm simulate --config "$config" --events "$events" >"$decisions"

# Which scheduler each service runs, from the config ("tcp/VIP:PORT scheduler" lines).
schedulers=$(awk '
  /^[[:space:]]*-[[:space:]]*(tcp|udp)-service:/ { split($2, p, "-"); svc = p[1] "/" $3 }
  /^[[:space:]]*scheduler:/ && svc != "" { print svc, $2; svc = "" }' "$config")

# Pair the i-th output line with the i-th `new` event's service, then count per server address.
awk -v first="$(awk '/^[[:space:]]*-[[:space:]]*(tcp|udp|fwmark)-service:/ {print $3; exit}' "$config")" \
    -v schedulers="$schedulers" '
  BEGIN {
    ns = split(schedulers, lines, "\n")
    for (k = 1; k <= ns; k++) { split(lines[k], f, " "); sched[f[1]] = f[2] }
    ns = 0
  }
  FNR == NR {
    if ($1 == "new") { nnew++; svc[nnew] = ($3 == "" ? "tcp/" first : $3) }
    next
  }
  {
    i++; s = svc[i]; split($1, p, ":"); a = (p[1] == "-") ? "none" : p[1]
    count[s, a]++; total[s]++
    if (!(s in seen)) { seen[s] = 1; order[++ns] = s }
    if (!(a in known)) { known[a] = 1; servers[++nr] = a }
  }
  END {
    # real servers sorted by address, "none" (no server chosen) last
    for (x = 1; x <= nr; x++) for (y = x + 1; y <= nr; y++)
      if (servers[x] == "none" || (servers[y] != "none" && servers[y] < servers[x])) {
        t = servers[x]; servers[x] = servers[y]; servers[y] = t }
    printf "%-6s %-22s", "sched", "service"
    for (x = 1; x <= nr; x++) printf " %12s", servers[x]
    printf " %6s\n", "total"
    for (k = 1; k <= ns; k++) {
      s = order[k]; printf "%-6s %-22s", sched[s], s
      for (x = 1; x <= nr; x++) printf " %12d", count[s, servers[x]]
      printf " %6d\n", total[s]
    }
  }' "$events" "$decisions"

echo
echo "Each row is one scheduler's service (see $config for which port runs which scheduler);"
echo "the weights are .11=3 .12=2 .13=1, and .13 is quiesced for the last 30 connections."
