#!/usr/bin/env bash
# Gate: the pure cores include no kernel or netlink headers (<sys/...>, <linux/...>,
# <libmnl/...>, <libnftnl/...>), so they build and test without the kernel, and every director
# source folder is classified as pure or adapter, so a new folder cannot slip past this check.
# The pure folders are the libraries lvs_config, lvs_director_core and lvs_agent_core
# (CMakeLists.txt).
#   bash tests/gates/pure_includes.sh [REPO_ROOT]
set -euo pipefail
root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
cd "$root"

pure=(config director/src/model director/src/sched director/src/service director/src/conn
  director/src/packet director/src/neigh director/src/balancer director/src/sim director/src/ctl
  realserver-agent/src/core)
adapters=(director/src/io director/src/daemon)

status=0
for dir in director/src/*/; do
  dir=${dir%/}
  if [[ ! " ${pure[*]} ${adapters[*]} " =~ " $dir " ]]; then
    echo "pure_includes: $dir is neither a pure nor an adapter folder: add it to one list in $0" >&2
    status=1
  fi
done
for dir in "${pure[@]}"; do
  if hits=$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*<(sys|linux|libmnl|libnftnl)/' \
    "$dir"/*.h "$dir"/*.cpp 2>/dev/null); then
    echo "pure_includes: a pure folder includes a kernel or netlink header (move it to an adapter):" >&2
    echo "$hits" >&2
    status=1
  fi
done
[[ $status -eq 0 ]] && echo "pure_includes: ${#pure[@]} pure folders include no <sys/ linux/ libmnl/ libnftnl/> header"
exit $status
