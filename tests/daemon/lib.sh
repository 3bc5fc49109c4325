# Running profwatchd in the daemon tests. Sourced after tests/lib/check.sh and
# tests/lib/fixture.sh; needs $PW_BIN and $dir. Every wait is bounded.
PWD_BIN="$PW_BIN/profwatchd"
PW="$PW_BIN/profwatch"
sock="$dir/status.sock"
dpid=""
# Waits and request timeouts scale with this (valgrind slows the daemon, and
# TLS handshakes most of all).
slow=1
# Scrape intervals scale with this, so that a slowed daemon is not saturated.
pace=1

# PW_VALGRIND=1: profwatchd runs under valgrind memcheck, and any error or
# definite/indirect leak in any of its runs fails the test (finish checks
# every log). No suppression file: profwatchd, libuv, libcurl and OpenSSL run
# clean as they are. A run ended by SIGKILL leaves an empty log.
if [ "${PW_VALGRIND:-0}" = 1 ]; then
    if [ "${PW_SANITIZED:-0}" = 1 ]; then
        echo "SKIP: valgrind cannot run an ASan build (this test runs in the plain build)"
        exit 77
    fi
    command -v valgrind >/dev/null || {
        echo "FAIL: valgrind is missing (run packaging/setup.sh)"
        exit 1
    }
    slow=6
    pace=2
    cat >"$dir/profwatchd-valgrind" <<SH
#!/bin/sh
exec valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \\
    --errors-for-leak-kinds=definite,indirect --num-callers=30 \\
    --log-file="$dir/valgrind.%p.log" "$PWD_BIN" "\$@"
SH
    chmod +x "$dir/profwatchd-valgrind"
    PWD_BIN="$dir/profwatchd-valgrind"
    finish() { # finish NAME, after checking every valgrind log
        runs=0
        for log in "$dir"/valgrind.*.log; do
            [ -e "$log" ] || continue
            runs=$((runs + 1))
            checked=$((checked + 1))
            if [ -s "$log" ]; then
                failed=$((failed + 1))
                echo "FAIL: valgrind found errors or leaks in profwatchd (${log##*/}):"
                head -150 "$log"
            fi
        done
        echo "$1 (under valgrind, $runs runs of profwatchd): $checked checks, $failed failed"
        [ "$runs" -gt 0 ] && [ "$failed" -eq 0 ]
    }
fi

# config FILE [EXTRA-YAML]: a config for fast cycles that watches the
# fixture at $addr as target "fixture"; EXTRA-YAML is appended as it is.
config() {
    cat >"$1" <<YAML
hostname: test-host
datadog_config: ""
reports_dir: $dir/reports
state_dir: $dir/state
status_socket: $sock
outputs:
  - type: jsonl
    path: $dir/metrics.jsonl
intervals:
  expvar: $((500 * pace))ms
  heap: $((1 * pace))s
  contention: $((1 * pace))s
  cpu_every: $((3 * pace))s
  cpu_duration: $((1 * pace))s
window: $((12 * pace))s
http:
  connect_timeout: $((1 * slow))s
  timeout: $((3 * slow))s
verdict:
  raise_after: 2
  clear_after: 2
rules:
  cpu_min: 200ms
YAML
    if [ -n "${addr-}" ]; then
        printf 'targets:\n  - name: fixture\n    url: http://%s\n    tags: ["team:test"]\n' \
            "$addr" >>"$1"
    fi
    [ $# -gt 1 ] && printf '%s\n' "$2" >>"$1"
    return 0
}

# daemon_start CONFIG [ARGS...]: runs profwatchd in the foreground and waits
# at most 10 s for its status socket to answer.
daemon_start() {
    cfg=$1
    shift
    "$PWD_BIN" --config "$cfg" --foreground "$@" 2>>"$dir/daemon.log" &
    dpid=$!
    pids="$pids $dpid"
    n=0
    until "$PW" status --socket "$sock" --json >"$dir/status.json" 2>/dev/null; do
        n=$((n + 1))
        if [ $n -gt $((100 * slow)) ] || ! kill -0 "$dpid" 2>/dev/null; then
            echo "FAIL: profwatchd did not start:"
            tail -20 "$dir/daemon.log"
            exit 1
        fi
        sleep 0.1
    done
}

# daemon_stop SIGNAL: signals profwatchd, waits at most 10 s (then SIGKILL),
# sets $rc to its exit status.
daemon_stop() {
    kill -"$1" "$dpid" 2>/dev/null
    (
        n=0
        while kill -0 "$dpid" 2>/dev/null; do
            [ $n -ge $((100 * slow)) ] && { kill -KILL "$dpid"; exit; }
            sleep 0.1
            n=$((n + 1))
        done
    ) &
    watchdog=$!
    wait "$dpid"
    rc=$?
    wait "$watchdog"
}

status() { "$PW" status --socket "$sock" --json >"$dir/status.json" 2>/dev/null; }

# holds PYTHON-EXPR: the expression on the daemon's status, with d = the whole
# document and t = the first target (or the target named $target when set).
holds() {
    status || return 1
    python3 - "$dir/status.json" "$1" "${target-}" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ts = d["targets"]
t = next((x for x in ts if x["name"] == sys.argv[3]), None) if sys.argv[3] else (ts[0] if ts else None)
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
}

# within SECONDS DESCRIPTION PYTHON-EXPR: a check that the expression comes
# to hold on the daemon's status within SECONDS; prints how long it took.
within() {
    limit=$(($1 * slow)) desc=$2 expr=$3
    checked=$((checked + 1))
    start_s=$(date +%s)
    while :; do
        if holds "$expr"; then
            echo "ok: $desc ($(($(date +%s) - start_s)) s)"
            return 0
        fi
        if [ $(($(date +%s) - start_s)) -ge "$limit" ]; then
            failed=$((failed + 1))
            echo "FAIL: $desc (not within $limit s)"
            python3 -m json.tool "$dir/status.json" 2>/dev/null | head -80
            return 1
        fi
        sleep 0.5
    done
}

# lines TYPE [GREP-PATTERN]: how many jsonl lines of that type (and pattern).
lines() {
    if [ $# -gt 1 ]; then
        grep "\"type\":\"$1\"" "$dir/metrics.jsonl" 2>/dev/null | grep -c -- "$2"
    else
        grep -c "\"type\":\"$1\"" "$dir/metrics.jsonl" 2>/dev/null
    fi
}

# fixture_set mode|fault VALUE: switches the running fixture at $addr.
fixture_set() {
    curl -sS --max-time 5 -X POST "http://$addr/fixture/$1?set=$2" >/dev/null
}
