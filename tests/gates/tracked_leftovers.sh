#!/usr/bin/env bash
# Gate: no merge or editor leftovers are tracked (*.orig, *.rej, *~, *.swp/.swo, #...#, *.bak).
#   bash tests/gates/tracked_leftovers.sh [REPO_ROOT]
set -euo pipefail
root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
cd "$root"
git rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
  { echo "tracked_leftovers: not a git checkout" >&2; exit 1; }
if leftovers=$(git ls-files | grep -E '(\.orig|\.rej|~|\.sw[po]|\.bak)$|(^|/)#[^/]*#$'); then
  echo "tracked_leftovers: remove these from the repository:" >&2
  echo "$leftovers" >&2
  exit 1
fi
echo "tracked_leftovers: none of $(git ls-files | wc -l) tracked files is a leftover"
