#!/bin/sh
# profwatchd's memory gate against a live Go process: PSS metrics per process
# and pathname with the process's tags, the memory_gate service check under
# and over a budget given as a size, a gate name or an experiment.yaml, the
# history kept across a restart and read by `profwatch smaps --history`, the
# PSS series in a capture, and a watched process that goes away.
set -u
command -v python3 >/dev/null || { echo "python3 is missing (run packaging/setup.sh)"; exit 1; }
command -v curl >/dev/null || { echo "curl is missing (run packaging/setup.sh)"; exit 1; }
. "$(dirname "$0")/../lib/scratch.sh"
here=$(dirname "$0")
. "$here/../lib/check.sh"
. "$here/../lib/fixture.sh"
. "$here/lib.sh"

start fx
fx_pid=$pid
memory="memory:
  agent: false
  interval: 300ms
  smaps_every: 2
  history_bucket: 1s
  processes:
    - pid: $fx_pid
      as: fixture"
config "$dir/cfg.yaml" "$memory
memory_budget: 1GiB"
daemon_start "$dir/cfg.yaml"

within 10 "memory: the fixture is read" "d['memory']['processes'] and d['memory']['processes'][0]['read'] and d['memory']['processes'][0]['total_pss_bytes'] > 1000000"
ok "memory: reported under the target's name" holds "d['memory']['processes'][0]['process'] == 'fixture' and d['memory']['processes'][0]['name'] == 'pwfixture'"
ok "memory: anon, file and shmem" holds "all(d['memory']['processes'][0][k] is not None for k in ('pss_anon', 'pss_file', 'pss_shmem', 'rss'))"
within 10 "memory: the largest pathname from smaps" "d['memory']['processes'][0]['top_pathname'] is not None"
within 10 "gate: OK under 1 GiB" "d['memory']['gate']['status'] == 'OK' and 'under the budget of 1024.0 MiB' in d['memory']['gate']['message']"
ok "metric: total PSS with the target's tags" test "$(lines metric '"name":"profwatch.memory.total_pss_bytes".*"process:fixture","team:test"')" -ge 1
ok "metric: smaps_rollup fields" test "$(lines metric '"name":"profwatch.memory.smaps_rollup.pss_anon"')" -ge 1
ok "metric: PSS by pathname, with the pathname" test "$(lines metric '"name":"profwatch.memory.smaps.pss.by_pathname".*"pathname:_anon_"')" -ge 1
ok "metric: the trend class as a tag" test "$(lines metric '"name":"profwatch.memory.trend".*"trend:unknown"')" -ge 1
ok "service check: memory_gate OK with the margin" test "$(lines service_check '"name":"profwatch.memory_gate","status":0,"message":"total PSS')" -ge 1
"$PW" status --socket "$sock" >"$dir/status.txt"
ok "status: the memory section" grep -q "^  fixture .*PSS .* MiB (anon" "$dir/status.txt"
ok "status: the gate" grep -q "^  gate OK: total PSS" "$dir/status.txt"

# --- over budget, by size, by name and by experiment ----------------------
config "$dir/cfg.yaml" "$memory
memory_budget: 1MiB"
kill -HUP "$dpid"
within 10 "gate: CRITICAL over 1 MiB, naming the largest pathname" "d['memory']['gate']['status'] == 'CRITICAL' and 'over the budget' in d['memory']['gate']['message'] and 'largest pathname' in d['memory']['gate']['message']"
ok "service check: memory_gate CRITICAL" test "$(lines service_check '"name":"profwatch.memory_gate","status":2')" -ge 1
ok "gate: logged once when it turns" test "$(grep -c 'memory: gate CRITICAL' "$dir/daemon.log")" -eq 1
config "$dir/cfg.yaml" "$memory
memory_gate: idle"
kill -HUP "$dpid"
within 10 "gate: by name (idle, 175 MiB)" "d['memory']['gate']['name'] == 'idle' and d['memory']['gate']['budget_bytes'] == 175 * 1048576 and d['memory']['gate']['status'] == 'OK'"
mkdir -p "$dir/quality_gate_tiny"
cat >"$dir/quality_gate_tiny/experiment.yaml" <<YAML
optimization_goal: memory
checks:
  - name: memory_usage
    description: "Memory usage"
    bounds:
      series: total_pss_bytes
      upper_bound: "2 MiB"
YAML
config "$dir/cfg.yaml" "$memory
memory_experiment: $dir/quality_gate_tiny/experiment.yaml"
kill -HUP "$dpid"
within 10 "gate: from an experiment.yaml's upper_bound" "d['memory']['gate']['budget_bytes'] == 2 * 1048576 and d['memory']['gate']['status'] == 'CRITICAL' and 'experiment.yaml' in d['memory']['gate']['origin']"
config "$dir/bad.yaml" "$memory
memory_gate: nope"
"$PWD_BIN" --config "$dir/bad.yaml" --check-config >"$dir/bad.out" 2>&1
ok "gate: an unknown gate name is a config error" test $? -eq 2
ok "gate: the error names the file and the gates" grep -q "bad.yaml.*nope" "$dir/bad.out"
config "$dir/bad2.yaml" "$memory
memory_gate: idle
memory_budget: 1GiB"
"$PWD_BIN" --config "$dir/bad2.yaml" --check-config >"$dir/bad2.out" 2>&1
ok "gate: two budgets at once are refused" grep -q "set one of memory_gate, memory_budget and memory_experiment" "$dir/bad2.out"

# --- a capture carries the PSS series ---------------------------------------
fixture_set mode leak
within 30 "leak: a capture" "d['targets'][0]['captures'] >= 1 and d['targets'][0]['last_capture']"
cap=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["targets"][0]["last_capture"])' "$dir/status.json")
ok "capture: window.json has the PSS series and the process" json "$cap/profwatch/window.json" \
    "len(d['pss']) >= 3 and d['memory']['process'] == 'fixture' and d['memory']['total_pss_bytes'] > 0 and d['gate']['status'] == 'CRITICAL'"
ok "capture: the JSON report's window: PSS series, budget and margin" python3 -c '
import json, sys
w, r = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))["window"]
p, g = r["pss"], r["gate"]
sys.exit(not (p["points"] == len(w["pss"]) and p["end_bytes"] == w["pss"][-1]["total_pss"] and g["budget_bytes"] == w["gate"]["budget_bytes"] and g["margin_bytes"] == g["budget_bytes"] - p["end_bytes"] < 0 and g["status"] == "CRITICAL"))' \
    "$cap/profwatch/window.json" "$cap"/flare-profiling-*.json
ok "capture: the markdown report gives the margin over the budget" grep -q "is \*\*.* over\*\* it (gate CRITICAL)" "$cap"/flare-profiling-*.md
ok "capture: the HTML report draws the PSS sparkline" grep -q '<svg id="spark-pss"' "$cap"/flare-profiling-*.html
fixture_set mode normal

# --- the history survives a restart, and profwatch smaps reads it ----------
within 10 "history: points kept" "d['memory']['processes'][0]['history_points'] >= 3"
daemon_stop TERM
ok "history: saved in the state folder" test -s "$dir/state/memory/pwfixture.history"
ok "history: 0640" test "$(stat -c %a "$dir/state/memory/pwfixture.history")" = 640
"$PW" smaps --pid "$fx_pid" --history --state-dir "$dir/state" >"$dir/smaps.txt" 2>&1
ok "profwatch smaps --history reads the daemon's history" grep -q "unknown: [0-9]* points over" "$dir/smaps.txt"
points=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["memory"]["processes"][0]["history_points"])' "$dir/status.json")
daemon_start "$dir/cfg.yaml"
within 10 "history: loaded again after a restart ($points points before)" "d['memory']['processes'] and d['memory']['processes'][0]['history_points'] >= $points"

# --- the process goes away ------------------------------------------------------
kill -KILL "$fx_pid"
within 10 "gone: not running, and the gate cannot say OK" "not d['memory']['processes'][0]['running'] and d['memory']['gate']['status'] in ('UNKNOWN', 'CRITICAL') and d['memory']['note']"
ok "gone: the daemon runs on" kill -0 "$dpid"
daemon_stop INT
ok "SIGINT: exit 0" test "$rc" -eq 0
ok "every metric and service check sent is in the Datadog catalogue" \
    python3 "$PW_SOURCE/tests/packaging/catalogue.py" "$PW_SOURCE" "$dir/metrics.jsonl"
if [ "$failed" -gt 0 ]; then
    echo "== daemon log"
    tail -30 "$dir/daemon.log"
fi
finish "daemon memory"
