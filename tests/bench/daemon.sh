#!/bin/sh
# profwatchd's footprint: PSS (anonymous and in all) and CPU while it watches
# five Go fixture services, at the default intervals and at ten times faster
# ones; then whether its RSS grows over CYCLES fast verdict cycles (1,000).
# Usage: tests/bench/daemon.sh [SECONDS [CYCLES]]
#   SECONDS: each of the two footprint phases (default 300)
#   CYCLES: the fast-cycle run's length (default 1000)
# It prints figures and never fails on them. Needs a build (cmake --build build).
set -eu
cd "$(dirname "$0")/../.."
secs=${1:-300}
last=${2:-1000}
bin=build/bin
fixture=build/tests/bin/pwfixture
[ -x "$bin/profwatchd" ] && [ -x "$fixture" ] || { echo "build first: cmake --build build"; exit 1; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/pwbench.XXXXXX")
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
tck=$(getconf CLK_TCK)

targets=""
for i in 1 2 3 4 5; do
    "$fixture" serve -port-file "$dir/fx$i.port" -mode normal 2>/dev/null &
    pids="$pids $!"
done
for i in 1 2 3 4 5; do
    n=0
    until [ -s "$dir/fx$i.port" ]; do
        n=$((n + 1))
        [ $n -le 100 ] || { echo "fixture $i did not start"; exit 1; }
        sleep 0.1
    done
    targets="$targets  - name: svc$i
    url: http://$(cat "$dir/fx$i.port")
"
done

# config NAME INTERVALS-YAML: a config for the five services.
config() {
    cat >"$dir/$1.yaml" <<YAML
hostname: bench
datadog_config: ""
reports_dir: $dir/reports
state_dir: $dir/state
status_socket: $dir/$1.sock
outputs:
  - type: jsonl
    path: $dir/$1.jsonl
$2
targets:
$targets
YAML
}

# field PID KEY: a smaps_rollup field in KiB.
field() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/smaps_rollup"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
cycles() {
    "$bin/profwatch" status --socket "$1" --json 2>/dev/null |
        awk -F': ' '/"cycles"/ {gsub(/,/, "", $2); if (min == "" || $2 + 0 < min) min = $2 + 0} END {print min + 0}'
}

# phase NAME INTERVALS-YAML: runs the daemon for $secs and prints a row.
phase() {
    config "$1" "$2"
    "$bin/profwatchd" --config "$dir/$1.yaml" --foreground 2>"$dir/$1.log" &
    dpid=$!
    pids="$pids $dpid"
    sleep 5 # start-up is not the steady state
    t0=$(cpu_ticks "$dpid")
    s0=$(date +%s)
    max_pss=0 max_anon=0
    end=$((s0 + secs))
    while [ "$(date +%s)" -lt "$end" ]; do
        sleep 5
        p=$(field "$dpid" Pss)
        a=$(field "$dpid" Pss_Anon)
        [ "$p" -gt "$max_pss" ] && max_pss=$p
        [ "$a" -gt "$max_anon" ] && max_anon=$a
    done
    t1=$(cpu_ticks "$dpid")
    s1=$(date +%s)
    c=$(cycles "$dir/$1.sock")
    kill "$dpid"
    wait "$dpid" || true
    awk -v name="$1" -v dt=$((t1 - t0)) -v tck="$tck" -v el=$((s1 - s0)) -v pss="$max_pss" \
        -v anon="$max_anon" -v cyc="$c" 'BEGIN {
        printf "| %s | %d s | %d | %.1f MiB | %.1f MiB | %.2f%% |\n", name, el, cyc, anon / 1024,
            pss / 1024, 100 * dt / tck / el }'
}

echo "profwatchd watching 5 Go services, $secs s per phase, on $(nproc) cores"
echo
echo "| intervals | measured | verdict cycles (per target) | PSS_Anon (max) | PSS (max) | CPU (of one core) |"
echo "|---|---|---|---|---|---|"
phase default "intervals: {expvar: 15s, heap: 30s, contention: 60s, cpu_every: 5m, cpu_duration: 10s}"
phase 10x "intervals: {expvar: 1500ms, heap: 3s, contention: 6s, cpu_every: 30s, cpu_duration: 1s}
window: 1m"

# RSS over the fast cycles: sampled after 100 (warm), then in four steps.
config cycles "intervals: {expvar: 100ms, heap: 100ms, contention: 200ms, cpu_every: 0}
window: 10s"
"$bin/profwatchd" --config "$dir/cycles.yaml" --foreground 2>"$dir/cycles.log" &
dpid=$!
pids="$pids $dpid"
rss() { awk '/^VmRSS/ {print $2}' "/proc/$dpid/status"; }
anon() { awk '/^RssAnon/ {print $2}' "/proc/$dpid/status"; }
# malloc KEY: the allocator's figure from status, in KiB.
malloc_kib() {
    "$bin/profwatch" status --socket "$dir/cycles.sock" --json 2>/dev/null |
        awk -F': ' -v k="\"$1\"" '$1 ~ k {gsub(/,/, "", $2); print int($2 / 1024); exit}'
}
wait_cycles() {
    n=0
    while [ "$(cycles "$dir/cycles.sock")" -lt "$1" ]; do
        n=$((n + 1))
        [ $n -le 6000 ] || { echo "stalled before $1 cycles"; exit 1; }
        sleep 0.2
    done
}
echo
echo "RSS over fast cycles (heap every 100 ms, 5 targets), in KiB:"
echo
echo "| cycles | RSS | RssAnon | malloc in use | malloc held |"
echo "|---|---|---|---|---|"
step=$(((last - 100) / 4))
for c in 100 $((100 + step)) $((100 + 2 * step)) $((100 + 3 * step)) "$last"; do
    wait_cycles $c
    r=$(rss)
    [ $c -eq 100 ] && r100=$r
    echo "| $c | $r | $(anon) | $(malloc_kib malloc_in_use) | $(malloc_kib malloc_held) |"
done
kill "$dpid"
wait "$dpid" || true
echo
echo "RSS growth from 100 to $last cycles: $((r - r100)) KiB"
