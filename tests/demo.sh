#!/bin/sh
# The main job on an embedded default, in about a minute, with no Datadog
# account and no agent: builds profwatchd, profwatch and the Go fixture
# service, starts the service as an agent stand-in, and has profwatchd watch
# it with local outputs and short intervals. The service then starts leaking;
# the demo shows the verdict as profwatchd raises it, the capture it writes
# in the flare's layout, and that capture's report. PW_KEEP=1 keeps the
# capture (its HTML report opens in a browser, offline) and says where.
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
echo "== building profwatchd, profwatch and the Go fixture service"
cmake -S . -B build >/dev/null
cmake --build build -j "$jobs" >/dev/null
bin=build/bin
out=$(mktemp -d)
fixture_pid=""
daemon_pid=""
cleanup() {
    [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null
    [ -n "$fixture_pid" ] && kill "$fixture_pid" 2>/dev/null
    wait 2>/dev/null
    if [ -n "${PW_KEEP-}" ]; then
        echo "== kept: $out (open reports/*/flare-profiling-demo-host.html in a browser)"
        return
    fi
    rm -rf "$out"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

build/tests/bin/pwfixture serve -port-file "$out/port" -mode normal 2>"$out/fixture.log" &
fixture_pid=$!
n=0
until [ -s "$out/port" ]; do
    n=$((n + 1))
    [ $n -le 100 ] || { echo "the fixture service did not start:"; cat "$out/fixture.log"; exit 1; }
    sleep 0.1
done
addr=$(cat "$out/port")

# A config as an operator would write it, with intervals shortened for the
# demo (the defaults are 15s/30s/60s/5m) and local outputs only.
cat >"$out/profwatch.yaml" <<YAML
hostname: demo-host
datadog_config: ""          # no agent here: watch the listed target only
reports_dir: $out/reports
state_dir: $out/state
status_socket: $out/profwatchd.sock
outputs:
  - type: jsonl
    path: $out/metrics.jsonl
intervals: {expvar: 2s, heap: 2s, contention: 5s, cpu_every: 20s, cpu_duration: 2s}
window: 1m
targets:
  - name: core
    url: http://$addr
    tags: ["env:demo"]
YAML
echo "== profwatchd watches an agent stand-in at http://$addr (config: $out/profwatch.yaml)"
$bin/profwatchd --config "$out/profwatch.yaml" --foreground 2>"$out/daemon.log" &
daemon_pid=$!

# wait_for SECONDS PATTERN: until profwatch status --json matches PATTERN.
wait_for() {
    n=0
    while [ $n -lt $(($1 * 2)) ]; do
        if $bin/profwatch status --socket "$out/profwatchd.sock" --json 2>/dev/null | grep -q "$2"; then
            return 0
        fi
        sleep 0.5
        n=$((n + 1))
    done
    echo "gave up waiting for $2; the daemon's log:"
    cat "$out/daemon.log"
    exit 1
}
wait_for 20 '"cycles": [4-9]'
echo
echo "== profwatch status, while the service behaves"
$bin/profwatch status --socket "$out/profwatchd.sock"

echo
echo "== the service starts leaking (about 1.6 MB/s in TrackContext); waiting for the verdict"
curl -s -X POST "http://$addr/fixture/mode?set=leak" >/dev/null
start=$(date +%s)
wait_for 60 '"verdict": "memory_leak"'
wait_for 10 '"last_capture": "/'
echo "raised after $(($(date +%s) - start)) s"
echo
echo "== profwatch status"
$bin/profwatch status --socket "$out/profwatchd.sock"
echo
echo "== what went out (jsonl output; with the Datadog outputs, the same goes to monitors)"
grep -m1 '"type":"event"' "$out/metrics.jsonl"
grep '"type":"service_check"' "$out/metrics.jsonl" | tail -1
echo
capture=$(ls -d "$out"/reports/*-demo-host | tail -1)
echo "== the capture, in the flare's layout: $capture"
(cd "$capture" && find . -type f | sort)
echo
echo "== its report (the same as: profwatch analyze $capture)"
sed -n '/^## Verdict/,/^## Recommendations/p' "$capture"/flare-profiling-demo-host.md | head -30
echo
echo "== profwatch diff on the capture's two heap profiles (go tool pprof -top -diff_base)"
$bin/profwatch diff --nodecount 6 "$capture/profiles/core-1st-heap.pprof" \
    "$capture/profiles/core-2nd-heap.pprof"
kill "$daemon_pid"
wait "$daemon_pid" 2>/dev/null || true
daemon_pid=""
echo
echo "== profwatchd stopped on SIGTERM; its log:"
cat "$out/daemon.log"
[ -n "${PW_KEEP-}" ] || echo "(PW_KEEP=1 tests/demo.sh keeps the capture and its HTML report, with flame graphs)"
