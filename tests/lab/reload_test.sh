#!/usr/bin/env bash
# Reloads never stall forwarding, and a dead director leaves no blackholed VIP (issue 12,
# deliverable 2; findings 1-3 on the SIGHUP side). The real lvs-director in the lab, a steady
# stream of new HTTP connections from the client namespace to the VIP, and meanwhile SIGHUP
# with the director's config file replaced by, in turn:
#   - ",\n" (yaml-cpp's memory bomb)            - a symlink to /dev/zero
#   - a FIFO (a reader blocks forever)          - a 1 MB file refused by validation
#   - a file with 100k unknown keys             - a valid file with a second service of 50,000
#     real servers (addresses outside the lab, weights 1-5) and then the lab's file again
# Each bad file must be rejected (one "reload rejected" line; the running configuration kept),
# each valid one applied; the stream must see zero failed requests (curl: HTTP 200 within 2 s;
# a dropped SYN alone costs 1 s). Reported: the slowest request and the director's own longest
# event-loop step (lvs_event_loop_longest_step_seconds: the packet thread's worst stall, and
# ..._cpu_seconds: what the step itself cost). Asserted: under 20 ms of CPU (the target), under
# 500 ms of wall time (a loaded 2-core CI machine adds the time the thread waits for a CPU).
# Then kill -9: the kernel must remove the director's nftables table (owner flag), and a client
# connecting to the VIP must get an immediate answer (the director's own stack holds the VIP and
# resets the connection: curl exit 7 "Connection refused") instead of a blackhole (curl timing
# out); a new director then serves again.
#
#   bash tests/lab/reload_test.sh BIN_DIR SOURCE_DIR       (as ctest runs it)
#
# Every packet is sent from the client namespace to addresses inside the lab. Exit 77 (skipped)
# when not root, unless CI=true. LVS_LAB_PREFIX runs it on a private copy of the lab.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

lab_director_test "$@"
lab_require_tools awk

readonly VIP=$LAB_VIP
config=$tmp/director.yaml       # the path the director reloads
good=$tmp/lab.yaml              # the lab's configuration
metrics_port=9479
stream_pid=""
fifo_writer=""

# --- the files -------------------------------------------------------------------------------
director_config "$src_dir/config/examples/lab.yaml" "$good" "$metrics_port"

# lab.yaml plus a tcp service on 10.200.0.101:80 with N real servers 10.201.x.y:80; TAIL is
# appended to the last server (a bad weight makes the file fail validation at its very end).
big_config() {  # big_config N [TAIL]
  cat "$good"
  awk -v n="$1" -v tail="${2:-}" 'BEGIN {
    print "  - tcp-service: 10.200.0.101:80"
    print "    scheduler: wlc"
    print "    real-servers:"
    for (i = 0; i < n; i++) {
      printf "      - real-server: 10.201.%d.%d:80\n", int(i / 250), i % 250 + 1
      if (i == n - 1 && tail != "") printf "        weight: %s\n", tail
      else printf "        weight: %d\n", i % 5 + 1
    }
  }'
}
big_config 50000 >"$tmp/valid-50k.yaml"
big_config 18000 "not-a-number" >"$tmp/rejected-1mb.yaml"
{ cat "$good"; awk 'BEGIN { for (i = 0; i < 100000; i++) printf "unknown-key-%d: %d\n", i, i }'; } \
  >"$tmp/unknown-100k.yaml"
printf ',\n' >"$tmp/comma.yaml"

# --- lab, director, the request stream ---------------------------------------------------------
lab_up
cp "$good" "$config"
if ! director_up "$config"; then
  not_ok "director installed its nft table within 10 s"
  finish
fi
ok "director running with the lab's configuration"

# One new HTTP connection after the other from the client namespace, until $tmp/stream.stop
# exists; one line per request: "HTTP_CODE CURL_EXIT SECONDS END_TIME".
stream=$tmp/stream.txt
in_ns client bash -c '
  while [[ ! -e $1 ]]; do
    out=$(curl -s -o /dev/null -H "Connection: close" -m 2 -w "%{http_code} %{time_total}" \
      "http://$2/")
    rc=$?
    read -r code secs <<<"$out"
    echo "${code:-000} $rc ${secs:-0} $EPOCHREALTIME"
  done' stream "$tmp/stream.stop" "$VIP" >"$stream" 2>/dev/null &
stream_pid=$!
lab_on_exit() {
  touch "$tmp/stream.stop"
  stop_pid "$stream_pid"
  [[ -n $fifo_writer ]] && stop_pid "$fifo_writer" KILL
  [[ -p $config ]] && rm -f "$config"
}
stream_count() { grep -c . "$stream" 2>/dev/null || true; }
stream_advanced() { [[ $(stream_count) -ge $1 ]]; }
wait_for 100 stream_advanced 5 || not_ok "the request stream started (5 requests in 10 s)"

# reload_with WHAT SOURCE EXPECT: the config path replaced (SOURCE a file to copy, or "symlink"
# or "fifo"), SIGHUP, then up to 60 s for the EXPECT-th line of its kind in the log ("reload
# rejected" or "reload applied"), the stream still flowing.
log_count() { grep -cF -- "$1" "$log" 2>/dev/null || true; }
log_count_at_least() { [[ $(log_count "$1") -ge $2 ]]; }
reload_with() {
  local what=$1 source=$2 expect=$3 before want
  before=$(stream_count)
  want=$(($(log_count "$expect") + 1))
  rm -f "$config"
  case $source in
    symlink) ln -s /dev/zero "$config" ;;
    fifo) mkfifo "$config" ;;
    *) cp "$source" "$config" ;;
  esac
  kill -HUP "$director_pid"
  if wait_for 600 log_count_at_least "$expect" "$want"; then
    ok "SIGHUP with $what: $expect"
  else
    not_ok "SIGHUP with $what: no '$expect' line within 60 s"
    # A director blocked opening the FIFO goes on once a writer appears.
    if [[ $source == fifo ]]; then
      timeout 5 bash -c "echo >'$config'" 2>/dev/null || true
    fi
  fi
  # Forwarding went on meanwhile: the stream moved (at least 3 more requests).
  wait_for 50 stream_advanced $((before + 3)) ||
    not_ok "requests flowing after the reload with $what"
  check "director alive after the reload with $what" director_running
  rm -f "$config"
  cp "$good" "$config"
}

reload_with "',\\n' (yaml-cpp memory bomb)" "$tmp/comma.yaml" "reload rejected"
reload_with "a symlink to /dev/zero" symlink "reload rejected"
reload_with "a FIFO" fifo "reload rejected"
reload_with "a 1 MB file failing validation" "$tmp/rejected-1mb.yaml" "reload rejected"
reload_with "100k unknown keys" "$tmp/unknown-100k.yaml" "reload rejected"
reload_with "a valid file with 50,000 real servers" "$tmp/valid-50k.yaml" "reload applied"
if grep -qE 'reload applied \(50001 change' "$log"; then
  ok "the 50,000 real servers were added (-A and 50,000 -a)"
else
  not_ok "the 50k reload applied 50001 changes: $(grep 'reload applied' "$log" | tail -n 1)"
fi
reload_with "the lab's file again (the 50k service deleted)" "$good" "reload applied"
check "the second service is gone again (-D)" grep -qF -- "-D -t 10.200.0.101:80" "$log"

# A coalesced pair: two SIGHUPs in a row make at most two reloads, never a refusal.
applied=$(log_count "reload applied")
kill -HUP "$director_pid"
kill -HUP "$director_pid"
wait_for 300 log_count_at_least "reload applied" $((applied + 1)) ||
  not_ok "two SIGHUPs in a row: reloaded"
sleep 0.5  # let a coalesced second reload finish before the stream stops (counted below)

touch "$tmp/stream.stop"
stop_pid "$stream_pid" TERM 50
stream_pid=""
total=$(stream_count)
nfail=$(awk '$1 != 200 || $2 != 0' "$stream" | wc -l)
slowest=$(awk 'BEGIN {m = 0} {if ($3 > m) m = $3} END {printf "%.3f", m}' "$stream")
check_expr "a steady stream: $total requests, $nfail failed (slowest $slowest s)" \
  '[[ $total -ge 50 && $nfail -eq 0 ]]'
[[ $nfail -eq 0 ]] || awk '$1 != 200 || $2 != 0' "$stream" | head -n 5

# The packet thread's longest step, as the director measures it (per kind of step).
# Metrics are published once a second and formatted off the loop (a set with 50k servers takes
# a while): wait until the published set has seen every reload the log shows.
published_all_reloads() {
  director_scrape && grep -q '^lvs_event_loop_longest_step_seconds{' "$scrape_file" &&
    [[ $(metric lvs_reloads_total 'result="applied"') == "$(log_count "reload applied")" ]]
}
if wait_for 100 published_all_reloads; then
  grep '^lvs_event_loop_longest_step' "$scrape_file" | sed 's/^/     /'
  step=$(awk '/^lvs_event_loop_longest_step_seconds\{/ {if ($2 > m) m = $2} END {print m + 0}' \
    "$scrape_file")
  step_ms=$(awk -v s="$step" 'BEGIN {printf "%.1f", s * 1000}')
  cpu=$(awk '/^lvs_event_loop_longest_step_cpu_seconds\{/ {if ($2 > m) m = $2} END {print m + 0}' \
    "$scrape_file")
  cpu_ms=$(awk -v s="$cpu" 'BEGIN {printf "%.1f", s * 1000}')
  echo "     longest event-loop step: $step_ms ms wall, $cpu_ms ms CPU (target < 20 ms;" \
    "load average $(cut -d' ' -f1 /proc/loadavg))"
  grep -E 'reload applied' "$log" | sed 's/^/     /'
  # The CPU time is the step's own cost and must meet the target; the wall time adds whatever
  # the machine's load kept the thread waiting, so it only has to stay well below a dropped SYN.
  check_expr "the longest event-loop step costs under 20 ms of CPU ($cpu_ms ms)" \
    "awk -v s='$cpu' 'BEGIN {exit !(s < 0.02)}'"
  check_expr "the longest event-loop step ($step_ms ms wall) stays under 500 ms" \
    "awk -v s='$step' 'BEGIN {exit !(s < 0.5)}'"
else
  not_ok "lvs_event_loop_longest_step_seconds exported"
fi

# --- kill -9: the kernel removes the rules, the VIP answers ----------------------------------
check "table ip lvs_director installed before kill -9" director_table_present
kill -KILL "$director_pid"
wait "$director_pid" 2>/dev/null
director_pid=""
table_gone() { ! director_table_present; }
check "kill -9: the kernel removed table ip lvs_director (owner flag)" wait_for 50 table_gone
# What a client sees now: the director's own stack holds the VIP and serves nothing on port 80.
start=$(date +%s%N)
in_ns client curl -s -o /dev/null -m 3 "http://$VIP/"
rc=$?
took_ms=$((($(date +%s%N) - start) / 1000000))
check_expr "kill -9: a client is refused at once (curl exit $rc in $took_ms ms; 7 = refused, 28 = blackholed)" \
  '[[ $rc -eq 7 && $took_ms -lt 2000 ]]'

# And a new director takes the VIP back.
if director_up "$config"; then
  body=$(lab_http_get "http://$VIP/" -m 3) || true
  check_expr "a restarted director serves again (got '${body:-nothing}')" '[[ $body == rs[123] ]]'
else
  not_ok "a new director started after kill -9"
fi

finish
