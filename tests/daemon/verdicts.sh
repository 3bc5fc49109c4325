#!/bin/sh
# profwatchd against the Go fixture service as it switches behaviour at run
# time: normal raises nothing; leak, cpu and contention each raise their
# verdict within a bounded time, leave a capture that `profwatch analyze`
# judges the same way, and clear when the behaviour stops. Also: the
# service check, events and metrics in the jsonl output, capture retention,
# file modes, and a clean stop.
set -u
command -v python3 >/dev/null || { echo "python3 is missing (run packaging/setup.sh)"; exit 1; }
command -v curl >/dev/null || { echo "curl is missing (run packaging/setup.sh)"; exit 1; }
. "$(dirname "$0")/../lib/scratch.sh"
here=$(dirname "$0")
. "$here/../lib/check.sh"
. "$here/../lib/fixture.sh"
. "$here/lib.sh"

start fx
config "$dir/cfg.yaml" "captures:
  keep: 3"
# Captures from before: the oldest goes when the first new one is written,
# and a half-written one (a crash) is removed.
for old in 20200101T000000Z-test-host 20200102T000000Z-test-host 20200103T000000Z-test-host \
    20200104T000000Z-test-host.tmp; do
    mkdir -p "$dir/reports/$old/profiles"
done
daemon_start "$dir/cfg.yaml"

# The capture folder a verdict left, and analyze's verdict on it with the
# daemon's own config (its rules: cpu_min is lower than the default here).
capture() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["targets"][0]["last_capture"] or "")' "$dir/status.json"; }
analyze_verdict() {
    "$PW" analyze --config "$dir/cfg.yaml" -o "$dir/an-$2" "$1" >/dev/null 2>&1 &&
        python3 -c 'import json,sys,glob; print(json.load(open(glob.glob(sys.argv[1] + "/*.json")[0]))["verdict"])' "$dir/an-$2"
}

# --- normal: nothing is raised --------------------------------------------
within 30 "normal: 8 verdict cycles with the target up" "t['cycles'] >= 8 and t['state'] == 'up'"
ok "normal: the verdict is normal" holds "t['verdict'] == 'normal' and t['captures'] == 0"
ok "normal: no event" test "$(lines event)" -eq 0
ok "normal: service checks are OK" test "$(lines service_check '"status":0')" -ge 8
ok "normal: no CRITICAL service check" test "$(lines service_check '"status":2')" -eq 0
ok "normal: memstats metrics, go_expvar names" test "$(lines metric profwatch.memstats.heap_inuse)" -ge 1
ok "normal: heap metrics" test "$(lines metric profwatch.heap.inuse_bytes)" -ge 8
ok "normal: scrape durations per profile" test "$(lines metric '"profile:mutex"')" -ge 1
ok "normal: every target metric has process and the target's tags" sh -c \
    "grep '\"type\":\"metric\"' '$dir/metrics.jsonl' | grep '\"process:' | grep -vc 'team:test' | grep -qx 0"

# --- leak -------------------------------------------------------------------
fixture_set mode leak
within 20 "leak: memory_leak raised" "t['verdict'] == 'memory_leak'"
within 5 "leak: a capture was written" "t['captures'] == 1 and t['last_capture']"
cap=$(capture)
for f in profiles/fixture-1st-heap.pprof profiles/fixture-2nd-heap.pprof status.log expvar/memstats profwatch/window.json \
    flare-profiling-test-host.md flare-profiling-test-host.json flare-profiling-test-host.html; do
    ok "leak capture: $f" test -s "$cap/$f"
done
ok "leak capture: files are 0640" test "$(stat -c %a "$cap/status.log")" = 640
ok "leak capture: folders are 0750" test "$(stat -c %a "$cap")$(stat -c %a "$cap/profiles")" = 750750
ok "leak capture: its report reads memory_leak" json "$cap/flare-profiling-test-host.json" "d['verdict'] == 'memory_leak'"
ok "leak capture: the HTML report has the heap diff graph and the heap sparkline" sh -c \
    "grep -q 'id=\"fixture-heap\"' '$cap/flare-profiling-test-host.html' && grep -q '<svg id=\"spark-heap\"' '$cap/flare-profiling-test-host.html' && tail -n 1 '$cap/flare-profiling-test-host.html' | grep -qx '</html>'"
ok "leak capture: the JSON report's window summarises window.json's heap series" python3 -c '
import json, sys
w, r = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))["window"]
h = w["heap"]
sys.exit(not (r["process"] == "fixture" and r["heap"]["points"] == len(h) >= 2 and r["heap"]["start_bytes"] == h[0]["inuse"] and r["heap"]["growth_bytes"] == h[-1]["inuse"] - h[0]["inuse"]))' \
    "$cap/profwatch/window.json" "$cap/flare-profiling-test-host.json"
ok "leak capture: the markdown report has the Memory Trend section" grep -q "^## Memory Trend" "$cap/flare-profiling-test-host.md"
v=$(analyze_verdict "$cap" leak)
ok "leak capture: profwatch analyze agrees (got $v)" test "$v" = memory_leak
ok "leak capture: status.log names the process and the verdict" grep -q "Verdict: memory_leak" "$cap/status.log"
ok "retention: three captures are kept" test "$(ls "$dir/reports" | wc -l)" -eq 3
ok "retention: the oldest went first" test ! -e "$dir/reports/20200101T000000Z-test-host"
ok "retention: a half-written capture is removed" test ! -e "$dir/reports/20200104T000000Z-test-host.tmp"
ok "leak: an error event names the verdict" test "$(lines event '"verdict:memory_leak"')" -ge 1
ok "leak: the event gives the capture" test "$(lines event 'Capture: ')" -ge 1
ok "leak: the service check is CRITICAL" test "$(lines service_check '"status":2')" -ge 1
ok "leak: the top grower is reported by name" test "$(lines metric 'function:github.com/DataDog/datadog-agent/pkg/aggregator.__ContextResolver_.TrackContext')" -ge 1

fixture_set mode normal
within 40 "leak stopped: back to normal" "t['verdict'] == 'normal'"
ok "leak stopped: a success event" test "$(lines event '"alert_type":"success"')" -ge 1

# --- cpu ----------------------------------------------------------------------
fixture_set mode cpu
within 30 "cpu: cpu_spike raised" "t['verdict'] == 'cpu_spike'"
within 5 "cpu: a second capture" "t['captures'] == 2"
cap=$(capture)
ok "cpu capture: the CPU profile" test -s "$cap/profiles/fixture-cpu.pprof"
ok "cpu capture: its report reads cpu_spike" json "$cap/flare-profiling-test-host.json" "d['verdict'] == 'cpu_spike'"
v=$(analyze_verdict "$cap" cpu)
ok "cpu capture: profwatch analyze agrees (got $v)" test "$v" = cpu_spike
ok "cpu: the top function's share is a metric" test "$(lines metric 'profwatch.cpu.top_share')" -ge 1
fixture_set mode normal
within 40 "cpu stopped: back to normal" "t['verdict'] == 'normal'"

# --- contention -------------------------------------------------------------
fixture_set mode contention
within 30 "contention: contention raised" "t['verdict'] == 'contention'"
within 5 "contention: a third capture" "t['captures'] == 3"
cap=$(capture)
ok "contention capture: block and mutex profiles" test -s "$cap/profiles/fixture-mutex.pprof" -a -s "$cap/profiles/fixture-block.pprof"
v=$(analyze_verdict "$cap" contention)
ok "contention capture: profwatch analyze agrees (got $v)" test "$v" = contention
ok "contention: delay seconds are a metric" test "$(lines metric 'profwatch.contention.seconds')" -ge 1
fixture_set mode normal
within 40 "contention stopped: back to normal" "t['verdict'] == 'normal'"

# --- stop -------------------------------------------------------------------
ok "three captures are kept" test "$(ls "$dir/reports" | wc -l)" -eq 3
daemon_stop TERM
ok "SIGTERM: exit 0" test "$rc" -eq 0
ok "SIGTERM: logged a clean stop" grep -q "info daemon: stopped" "$dir/daemon.log"
ok "SIGTERM: the status socket is removed" test ! -e "$sock"
ok "the jsonl output is 0640" test "$(stat -c %a "$dir/metrics.jsonl")" = 640
ok "every jsonl line is one JSON object" python3 -c "
import json, sys
for line in open('$dir/metrics.jsonl'):
    o = json.loads(line)
    assert o['type'] in ('metric', 'service_check', 'event'), o
    assert isinstance(o['timestamp'], int) and o['host'] == 'test-host', o
    assert ('value' in o) if o['type'] == 'metric' else True, o
    assert ('status' in o) if o['type'] == 'service_check' else True, o
    assert ('title' in o and 'text' in o) if o['type'] == 'event' else True, o
"
ok "every metric and service check sent is in the Datadog catalogue" \
    python3 "$PW_SOURCE/tests/packaging/catalogue.py" "$PW_SOURCE" "$dir/metrics.jsonl"
if [ "$failed" -gt 0 ]; then
    echo "== daemon log"
    tail -40 "$dir/daemon.log"
fi
finish "daemon verdicts"
