#!/bin/sh
# profwatch smaps on a live process of known memory (pw_memhog: 32 MiB
# anonymous, 16 MiB of a file, 8 MiB shared, and a child with 24 MiB), on a
# fake /proc tree built from the samples, and its answers to bad usage.
set -u
PW="$PW_BIN/profwatch"
DATA="$PW_SOURCE/tests/data"
dir=$(mktemp -d)
failed=0
checked=0
hog=""
cleanup() {
    exec 3>&- 2>/dev/null
    [ -n "$hog" ] && wait "$hog" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT

fail() {
    failed=$((failed + 1))
    echo "FAIL: $*"
}

expect() { # expect EXIT_CODE "needle" -- args...
    code=$1 needle=$2
    shift 3
    "$PW" "$@" >"$dir/out" 2>"$dir/err"
    rc=$?
    checked=$((checked + 1))
    if [ "$rc" -ne "$code" ] || ! grep -qF -- "$needle" "$dir/err" "$dir/out"; then
        fail "profwatch $* -> exit $rc (want $code), output:"
        cat "$dir/out" "$dir/err" | head -12
        echo "  (expected to contain: $needle)"
    fi
    if [ "$rc" -ge 128 ]; then
        fail "profwatch $* died with signal $((rc - 128))"
    fi
}

json() { # json PYTHON_EXPR -- args...: evaluates EXPR with d = the parsed output
    expr=$1
    shift 2
    checked=$((checked + 1))
    "$PW" "$@" --json >"$dir/j.json" 2>"$dir/err"
    if ! python3 -c "import json,sys; d=json.load(open(sys.argv[1])); MiB=1048576
assert $expr, 'not true: ' + sys.argv[2]" "$dir/j.json" "$expr" 2>"$dir/perr"; then
        fail "profwatch $* --json: $expr"
        tail -2 "$dir/perr"
    fi
}

if ! command -v python3 >/dev/null 2>&1; then
    echo "skip: python3 is needed to check the JSON output"
    exit 77
fi

# ---- the live process
mkfifo "$dir/in"
"$PW_MEMHOG" 32 "$dir/mapped.bin" 16 8 24 <"$dir/in" >"$dir/ready" &
hog=$!
exec 3>"$dir/in"
for _ in $(seq 100); do
    grep -q ready "$dir/ready" 2>/dev/null && break
    sleep 0.1
done
read -r _ pid child <"$dir/ready"
[ "$pid" = "$hog" ] || { echo "pw_memhog did not start"; exit 1; }

expect 0 "| pw_memhog |" -- smaps --pid "$pid"
expect 0 "| [anon]" -- smaps --pid "$pid"
expect 0 "| /dev/zero (deleted)" -- smaps --pid "$pid"
expect 0 "| $dir/mapped.bin" -- smaps --pid "$pid"
expect 0 "Pathnames by PSS: the top 10 of " -- smaps -p "$pid"

# The figures, from the JSON (tolerance as in tests/live: +3 MiB of start-up
# memory per process over the mapped amounts, 1% on shared memory).
json "d['processes'][0]['processes_read'] == 2" -- smaps --pid "$pid"
json "80*MiB <= d['total']['total_pss_bytes'] <= 86*MiB" -- smaps --pid "$pid"
json "56*MiB <= d['total']['smaps_rollup']['pss_anon'] <= 62*MiB" -- smaps --pid "$pid"
json "abs(d['total']['smaps_rollup']['pss_shmem'] - 8*MiB) < 0.08*MiB" -- smaps --pid "$pid"
json "[p for p in d['pathnames'] if p['pathname'] == '$dir/mapped.bin' and abs(p['pss'] - 16*MiB) < 0.16*MiB]" -- smaps --pid "$pid"
json "[p for p in d['pathnames'] if p['pathname'] == '/dev/zero' and p['deleted']]" -- smaps --pid "$pid"
json "d['pathnames'][0]['pathname'] == '[anon]' and d['budget'] is None" -- smaps --pid "$pid"
json "d['processes'][0]['source'] == 'smaps_rollup' and d['total']['complete']" -- smaps --pid "$pid"
# Without the child: 24 MiB less.
json "d['processes'][0]['processes_read'] == 1 and 56*MiB <= d['total']['total_pss_bytes'] <= 62*MiB" -- smaps --pid "$pid" --no-children
# The fallback sums smaps: same total, no split.
json "d['processes'][0]['source'] == 'smaps' and 'pss_anon' not in d['total']['smaps_rollup'] and 80*MiB <= d['total']['total_pss_bytes'] <= 86*MiB" -- smaps --pid "$pid" --no-rollup
expect 0 "summed from smaps" -- smaps --pid "$pid" --no-rollup
# --top bounds the pathnames; 0 skips smaps altogether.
json "len(d['pathnames']) == 3 and d['pathnames'][2]['pathname'] == '[other]' and d['pathnames'][2]['pathnames'] > 0" -- smaps --pid "$pid" --top 2
json "d['pathnames'] is None" -- smaps --pid "$pid" --top 0
# By name: the child is inside the parent's tree, so one target.
json "len(d['processes']) == 1 and d['processes'][0]['pid'] == $pid and d['processes'][0]['found_by'] == 'name'" -- smaps --name pw_memhog
echo "$pid" >"$dir/hog.pid"
json "d['processes'][0]['name'] == 'hog' and d['processes'][0]['found_by'] == 'pidfile'" -- smaps --pidfile "$dir/hog.pid"

# ---- budgets
expect 0 "OK: total PSS" -- smaps --pid "$pid" --budget 1GiB
expect 1 "CRITICAL: total PSS" -- smaps --pid "$pid" --budget 50MiB
expect 1 "over the budget of 50.0 MiB; largest pathname: [anon]" -- smaps --pid "$pid" --budget 50MiB
expect 0 "under the idle budget of 175.0 MiB" -- smaps --pid "$pid" --gate idle
expect 0 "Budget: quality_gate_idle, 175.0 MiB ($DATA/experiments/quality_gate_idle/experiment.yaml:24)" -- \
    smaps --pid "$pid" --experiment "$DATA/experiments/quality_gate_idle/experiment.yaml"
json "d['budget']['status'] == 'CRITICAL' and d['budget']['margin_bytes'] < 0 and d['budget']['bytes'] == 50*MiB" -- smaps --pid "$pid" --budget 50MiB
expect 2 "bad_bound/experiment.yaml:7: memory_usage.bounds.upper_bound" -- \
    smaps --pid "$pid" --experiment "$DATA/experiments/bad_bound/experiment.yaml"
expect 2 "unknown memory gate \"nope\"; the gates are: idle, idle_all_features, logs, metrics_logs" -- smaps --pid "$pid" --gate nope
expect 2 "expected a budget size such as 300MiB" -- smaps --pid "$pid" --budget lots
expect 2 "give one budget" -- smaps --pid "$pid" --budget 1GiB --gate idle

# ---- history: a step of 40 MiB in the middle of a day of 5-minute points
mkdir -p "$dir/state/memory"
awk 'BEGIN {
    print "profwatch-history 1"; print "key pw_memhog"; print "bucket 300"
    for (i = 0; i < 288; i++) {
        v = 200 * 1048576 + (i >= 144 ? 40 * 1048576 : 0) + (i % 7) * 20000
        printf "%d 300 20 %d %d %d\n", 1714557600 + i * 300, v, v, v
    }
}' >"$dir/state/memory/pw_memhog.history"
# Points stand at the middle of their 5 minutes: the step shows at 22:02.
expect 0 "pw_memhog: step: +40.0 MiB at 2024-05-01 22:02 UTC (200.1 MiB -> 240.1 MiB)" -- smaps --pid "$pid" --history --state-dir "$dir/state"
json "d['processes'][0]['trend']['class'] == 'step' and d['processes'][0]['trend']['step_time'] == 1714557600 + 144*300 + 150" -- \
    smaps --pid "$pid" --history --state-dir "$dir/state"
expect 0 "pw_memhog: no history yet" -- smaps --pid "$pid" --history --state-dir "$dir/nostate"
printf 'profwatch-history 1\nkey pw_memhog\n100 300 1 5 5\n' >"$dir/state/memory/pw_memhog.history"
expect 2 "pw_memhog.history:3: expected a point" -- smaps --pid "$pid" --history --state-dir "$dir/state"

# ---- a fake /proc: the Agent found by executable and pid file, a kernel
# without smaps_rollup for one child, and a process that cannot be read.
fake() { # fake PID COMM PPID EXE [ROLLUP] [SMAPS]
    d="$dir/proc/$1"
    mkdir -p "$d"
    echo "$1 ($2) S $3 $1 $1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 $((1000 + $1)) 0 0" >"$d/stat"
    echo "2000 500 300 5 0 123 0" >"$d/statm"
    ln -s "$4" "$d/exe"
    [ -n "${5:-}" ] && cp "$DATA/smaps/$5" "$d/smaps_rollup"
    [ -n "${6:-}" ] && cp "$DATA/smaps/$6" "$d/smaps"
    return 0
}
mkdir -p "$dir/proc" "$dir/run"
fake 1 init 0 /sbin/init
fake 4242 agent 1 /opt/datadog-agent/bin/agent/agent rollup-linux-6.txt smaps-agent.txt
fake 4250 trace-agent 1 /opt/datadog-agent/embedded/bin/trace-agent "" smaps-linux-4.2.txt
fake 4260 process-agent 1 /opt/datadog-agent/embedded/bin/process-agent rollup-bad-unit.txt
echo 4242 >"$dir/run/agent.pid"
echo 31337 >"$dir/run/security-agent.pid"
A="--proc $dir/proc --run-path $dir/run"
# 203417 kB = 198.6 MiB; trace-agent summed from smaps: 296 kB.
expect 2 "| agent         |    4242 |     1 |   198.6 MiB |   115.4 MiB |    82.2 MiB |     1.0 MiB |   240.0 MiB | exe+pidfile" -- smaps $A
expect 2 "| trace-agent   |    4250 |     1 |     0.3 MiB |         n/a |         n/a |         n/a |     0.4 MiB | exe" -- smaps $A
expect 2 "| process-agent |    4260 |     - |  unreadable |" -- smaps $A
expect 2 "process-agent (pid 4260): $dir/proc/4260/smaps_rollup: line 3: Pss: expected a size" -- smaps $A
expect 2 "note: $dir/run/security-agent.pid names process 31337, which is not running" -- smaps $A
expect 2 "(not every process could be read: the totals above are floors)" -- smaps $A
expect 2 "| /opt/datadog-agent/bin/agent/agent " -- smaps $A
# Over the budget is certain even when some process could not be read.
expect 1 "CRITICAL: total PSS is at least 198.9 MiB" -- smaps $A --budget 100MiB
expect 2 "UNKNOWN: total PSS is at least 198.9 MiB" -- smaps $A --budget 1GiB
json "[p['name'] for p in d['processes']] == ['agent', 'process-agent', 'trace-agent'] and not d['total']['complete']" -- smaps $A
json "d['processes'][1]['error'].endswith('line 3: Pss: expected a size such as \"1234 kB\", got \"9000 MB\"')" -- smaps $A
expect 0 "| agent " -- smaps --proc "$dir/proc" --run-path "$dir/run" --pid 4242
# A pathname with a terminal escape sequence reaches the terminal defanged.
fake 4270 odd 1 /usr/bin/odd
printf '1000-2000 r--p 0 08:01 7 /tmp/a\033[31mred.so\nRss: 4 kB\nPss: 4 kB\n' >"$dir/proc/4270/smaps"
expect 0 "| /tmp/a?[31mred.so " -- smaps --proc "$dir/proc" --pid 4270 --no-rollup
checked=$((checked + 1))
if "$PW" smaps --proc "$dir/proc" --pid 4270 --no-rollup | grep -q "$(printf '\033')"; then
    fail "an escape byte in a pathname reached the output"
fi
json "d['pathnames'][0]['pathname'] == '/tmp/a\\x1b[31mred.so'" -- smaps --proc "$dir/proc" --pid 4270 --no-rollup

# ---- usage and lookup errors
expect 2 "no process 4194303" -- smaps --pid 4194303
expect 2 "--pid expects a process id" -- smaps --pid 0
expect 2 "expects a whole number" -- smaps --top -1
expect 2 "no running process is named \"no-such-process\"" -- smaps --name no-such-process
echo 4194303 >"$dir/stale.pid"
expect 2 "stale.pid names process 4194303, which is not running" -- smaps --pidfile "$dir/stale.pid"
expect 2 "no Datadog Agent process found" -- smaps --agent --agent-prefix /nonexistent/ --run-path /nonexistent
expect 2 "unknown option --frobnicate" -- smaps --frobnicate
expect 0 "Usage: profwatch smaps" -- smaps --help
expect 0 "smaps             PSS of the Agent's processes" -- --help

echo "cli smaps: $checked checks, $failed failed"
[ "$failed" -eq 0 ]
