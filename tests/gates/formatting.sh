#!/usr/bin/env bash
# Gate: every C++ source the repository tracks matches .clang-format (Google style, 100 columns).
# Fix with: clang-format -i $(git ls-files '*.h' '*.cpp')
#   bash tests/gates/formatting.sh [REPO_ROOT]
set -euo pipefail
root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
cd "$root"
command -v clang-format >/dev/null || { echo "formatting: clang-format missing (deploy/install-deps.sh)" >&2; exit 1; }
mapfile -t files < <(git ls-files '*.h' '*.cpp')
[[ ${#files[@]} -gt 0 ]] || { echo "formatting: no tracked sources found (not a git checkout?)" >&2; exit 1; }
if ! clang-format --dry-run -Werror "${files[@]}"; then
  echo "formatting: the files above do not match .clang-format; run: clang-format -i \$(git ls-files '*.h' '*.cpp')" >&2
  exit 1
fi
echo "formatting: ${#files[@]} files match .clang-format ($(clang-format --version | head -1))"
