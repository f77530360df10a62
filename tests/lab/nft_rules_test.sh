#!/usr/bin/env bash
# The director's nftables rules on the real kernel (issue 4, item 2): runs the io_nft_install_test
# binary, whose tests each move into a fresh network namespace, install the rules for
# config/examples/lab.yaml with libnftnl, check `nft list ruleset` there (table, one rule per
# service, the queue verdict), reload, remove, and send real datagrams over that namespace's
# loopback to show the rules match and drop while no director listens (fail-closed).
# Here the binary is started inside a namespace this script creates, so even a broken test
# cannot reach the root namespace, and the root ruleset is compared before and after.
#
#   bash tests/lab/nft_rules_test.sh BIN_DIR SOURCE_DIR       (as ctest runs it)
#
# Exit 77 (skipped) when not root, unless CI=true.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bin_dir=${1:?usage: nft_rules_test.sh BIN_DIR SOURCE_DIR}
test_bin="$bin_dir/../tests/io_nft_install_test"

lab_require_root CAP_NET_ADMIN
if [[ ! -x "$test_bin" ]]; then
  echo "nft_rules_test: $test_bin not built (cmake --build with LVS_BUILD_TESTS=ON)" >&2
  exit 1
fi

lab_prefix
ns="${P}nfttest-$$"
cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT INT TERM

# Read-only look at the root namespace, to prove the test left it alone.
root_before=$(nft list ruleset)

ip netns add "$ns"
status=0
ip netns exec "$ns" "$test_bin" --gtest_color=no || status=$?

root_after=$(nft list ruleset)
if [[ "$root_before" != "$root_after" ]]; then
  echo "nft_rules_test: FAIL: the root namespace's ruleset changed" >&2
  diff <(echo "$root_before") <(echo "$root_after") >&2 || true
  exit 1
fi
if ip netns exec "$ns" nft list ruleset | grep -q .; then
  echo "nft_rules_test: FAIL: rules left behind in the test namespace" >&2
  exit 1
fi
if [[ $status -ne 0 ]]; then
  echo "nft_rules_test: FAIL: io_nft_install_test exited $status" >&2
  exit 1
fi
echo "nft_rules_test: ok"
