# tests/cli/lib.bash: what the command-line tests (tests/cli/*_test.sh) share. Sourced, never run
# (and not named *.sh, so the build does not take it for a test):
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
# Counts passes and failures, prints one FAIL line per failure, and `finish` exits with the verdict.

pass=0
fail=0

ok() { pass=$((pass + 1)); }
not_ok() {  # not_ok WHAT
  fail=$((fail + 1))
  echo "FAIL: $*"
}

# check NAME EXPECTED ACTUAL: the two strings must be equal; a difference is shown with cat -A
# (tabs as ^I, line ends as $), so trailing white space is visible.
check() {
  if [ "$2" == "$3" ]; then
    ok
  else
    not_ok "$1"
    echo "  expected: $(printf '%s' "$2" | cat -A | tr '\n' ' ')"
    echo "  actual:   $(printf '%s' "$3" | cat -A | tr '\n' ' ')"
  fi
}

# expect NAME STATUS: STATUS (a condition's exit status) must be 0.
expect() {
  if [ "$2" -eq 0 ]; then ok; else not_ok "$1"; fi
}

# finish [LABEL]: the totals; exits 0 only if nothing failed.
finish() {
  echo "${1:+$1: }$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
