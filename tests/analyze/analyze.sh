#!/bin/sh
# profwatch analyze on flares the Go fixture writes: every verdict, the zip
# form, a flare without profiles, broken and missing files, the folder forms,
# exit codes and the config file.
set -u
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "python3 is missing (run packaging/setup.sh)"; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
out="$dir/out"

flare() { # flare SCENARIO [extra fixture flags]: writes $dir/SCENARIO/host-SCENARIO
    s=$1
    shift
    "$PW_FIXTURE" flare -o "$dir/$s" -host "host-$s" -scenario "$s" -cpu 1s "$@" ||
        { echo "fixture failed for $s"; exit 1; }
}

analyze() { # analyze PATH: runs analyze into $out, sets $md, $js and $html
    "$PW" analyze -o "$out" "$1" >"$dir/stdout" 2>"$dir/stderr"
    rc=$?
    md=$(sed -n 's/^report: *//p' "$dir/stdout")
    js=$(sed -n 's/^json: *//p' "$dir/stdout")
    html=$(sed -n 's/^html: *//p' "$dir/stdout")
    return $rc
}

# The page fetches nothing: no URL but the SVG namespace, no src or link.
self_contained() {
    [ "$(grep -o 'https\?://[^"]*' "$1" | grep -vcx 'http://www.w3.org/2000/svg')" -eq 0 ] &&
        ! grep -qi ' src=\|<link\|@import' "$1"
}

expect_finding() { # expect_finding SCENARIO VERDICT KIND FUNCTION_SUFFIX OWNER
    ok "$1: exit 0" test "$rc" -eq 0
    ok "$1: verdict $2" json "$js" "d['verdict'] == '$2'"
    ok "$1: a $3 finding in $4, owned by $5" json "$js" \
        "any(f['kind'] == '$3' and f['function'].endswith('$4') and f['owner'] == '$5' and f['process'] == 'core' for f in d['findings'])"
    ok "$1: stdout names the verdict" grep -q "^verdict: $2" "$dir/stdout"
    ok "$1: every section, in order" sections_in_order "$md"
}

# --- every verdict -------------------------------------------------------
flare normal
analyze "$dir/normal/host-normal"
ok "normal: exit 0" test "$rc" -eq 0
ok "normal: verdict normal" json "$js" "d['verdict'] == 'normal' and d['findings'] == [] and d['profiles_found']"
ok "normal: every section, in order" sections_in_order "$md"
ok "normal: agent context" json "$js" "d['agent']['version'] == '7.57.2' and d['agent']['uptime_seconds'] == 12307 and d['agent']['install_method'] == 'install_script' and d['agent']['go_version'].startswith('go')"
ok "normal: memstats from the float-notation YAML" json "$js" "d['memstats']['Alloc'] > 0 and d['memstats']['HeapInuse'] > 0 and isinstance(d['memstats']['NumGC'], int)"
ok "normal: both processes, with tables" json "$js" "set(d['processes']) == {'core', 'trace'} and len(d['processes']['core']['cpu']['top']) > 0 and d['processes']['core']['heap_diff_seconds'] > 0"
ok "normal: trace file sizes" json "$js" "d['processes']['core']['trace_bytes'] > 0"
ok "normal: goroutines counted" json "$js" "d['goroutines'] >= 1"
ok "normal: running checks" json "$js" "[c['name'] for c in d['running_checks']] == ['cpu', 'postgres', 'redisdb'] and d['running_checks'][1]['errors'] == 1"
ok "normal: trace-agent section present" grep -q "### trace-agent (trace)" "$md"

flare leak -zip
analyze "$dir/leak/host-leak.zip"
expect_finding leak memory_leak memory_leak "pkg/aggregator.(*ContextResolver).TrackContext" "Core Agent (aggregation)"
ok "leak: the zip's host names the report" test "$(basename "$md")" = flare-profiling-host-leak.md
ok "leak: only the three report files are written" test "$(ls "$out" | grep -c host-leak)" -eq 3
ok "leak: the HTML report beside them" test "$html" = "$out/flare-profiling-host-leak.html" -a -s "$html"
ok "leak: HTML: verdict, finding and owner before the graphs" python3 -c '
import sys
s = open(sys.argv[1]).read()
v, o, g = s.find(">Memory Leak</span>"), s.find("<td>Core Agent (aggregation)</td>"), s.find("<section class=\"pwf\"")
sys.exit(not (0 < v < o < g))' "$html"
ok "leak: HTML: a differential heap graph with its legend, and the CPU graph" python3 -c '
import sys, re
s = open(sys.argv[1]).read()
heap = s[s.find("id=\"core-heap\""):s.find("id=\"core-cpu\"")]
sys.exit(not (heap and "pwf-grad" in heap and "TrackContext" in heap and "id=\"trace-heap\"" in s))' "$html"
ok "leak: HTML: self-contained" self_contained "$html"
ok "leak: HTML: complete" sh -c "tail -n 1 '$html' | grep -qx '</html>'"
ok "leak: a flare has no window: no trend section" sh -c "! grep -q '## Memory Trend' '$md' && ! grep -q 'id=\"window\"' '$html'"
ok "leak: and \"window\": null in the JSON" json "$js" "d['window'] is None"
ok "leak: growth and gap in the JSON" json "$js" "d['processes']['core']['heap_growth_bytes'] > 1000000 and 0 < d['processes']['core']['heap_diff_seconds'] < 30"
ok "leak: escalation names the owner" grep -q "Owner (core, .*TrackContext): Core Agent (aggregation)" "$md"
ok "leak: --fail-on-verdict exits 3" sh -c "'$PW' analyze --fail-on-verdict -o '$out' '$dir/leak/host-leak.zip'; test \$? -eq 3"

flare python-leak
analyze "$dir/python-leak/host-python-leak"
expect_finding python-leak memory_leak memory_leak "pkg/collector/python._Cfunc_GoString" "Integration (Python check)"
ok "python-leak: recommends correlating with running checks" grep -q "Correlate with Running Checks" "$md"

flare cpu -cpu 2s
analyze "$dir/cpu/host-cpu"
expect_finding cpu cpu_spike cpu_spike "pkg/trace/agent.normalize" "Trace-Agent (APM)"
ok "cpu: customer message in plain words" grep -q "spends [0-9]*% of its CPU time in" "$md"

flare contention -cpu 2s
analyze "$dir/contention/host-contention"
expect_finding contention contention contention "pkg/aggregator.(*ContextResolver).FlushSlow" "Core Agent (aggregation)"
ok "contention: the mutex's Unlock row points at the lock holder" json "$js" \
    "any(f['profile'] == 'mutex' and f['function'].endswith('FlushSlow') for f in d['findings'])"
ok "contention: HTML: block and mutex graphs, which have samples" sh -c "grep -q 'id=\"core-block\"' '$html' && grep -q 'id=\"core-mutex\"' '$html'"

flare multiple -zip -cpu 2s
analyze "$dir/multiple/host-multiple.zip"
ok "multiple: verdict multiple" json "$js" "d['verdict'] == 'multiple' and {f['kind'] for f in d['findings']} >= {'memory_leak', 'cpu_spike'}"
ok "multiple: --fail-on-verdict exits 3" sh -c "'$PW' analyze --fail-on-verdict -o '$out' '$dir/multiple/host-multiple.zip'; test \$? -eq 3"
ok "normal: --fail-on-verdict exits 0" "$PW" analyze --fail-on-verdict -o "$out" "$dir/normal/host-normal"

# --- a daemon capture's window: the memory trend -----------------------------
# The window file as profwatchd writes it into a capture (daemon/watch/capture.c),
# with known series: the reports' figures follow from them.
cp -r "$dir/leak/host-leak" "$dir/captured"
mkdir -p "$dir/captured/profwatch"
python3 - "$dir/captured/profwatch/window.json" <<'PY'
import json, sys
t0 = 1764990000000
heap = [{"t": t0 + i * 30000, "inuse": 40000000 + i * 3000000, "outside_runtime": 1} for i in range(8)]
pss = [{"t": t0 + i * 10000, "total_pss": 150 * 1048576 + i * 524288} for i in range(22)]
pss[5]["total_pss"] = 140 * 1048576  # the minimum is not the first point
json.dump({"process": "core", "verdict": "memory_leak", "window_ms": 300000, "heap": heap,
           "pss": pss,
           "memory": {"name": "core", "process": "core", "total_pss_bytes": 160 * 1048576,
                      "top_pathname": "/opt/datadog-agent/bin/agent/agent",
                      "top_pathname_pss": 78 * 1048576, "trend": "gradual",
                      "trend_text": "gradual: +6.00 MiB/hour (95% interval +/- 0.50, R^2 0.97) over 0.1 h, 150.0 MiB -> 160.5 MiB"},
           "gate": {"name": "idle", "budget_bytes": 175 * 1048576, "origin": "memory_gate: idle",
                    "status": "OK", "message": "under"}}, open(sys.argv[1], "w"))
PY
analyze "$dir/captured"
ok "window: exit 0" test "$rc" -eq 0
ok "window: JSON: the PSS series' summary" json "$js" \
    "[p['points'] == 22 and p['start_bytes'] == 150 * 1048576 and p['end_bytes'] == 150 * 1048576 + 21 * 524288 and p['growth_bytes'] == 21 * 524288 and p['min_bytes'] == 140 * 1048576 and p['end_unix_ms'] - p['start_unix_ms'] == 210000 for p in [d['window']['pss']]][0]"
ok "window: JSON: the heap series' summary" json "$js" \
    "[h['points'] == 8 and h['start_bytes'] == 40000000 and h['growth_bytes'] == 21000000 and h['max_bytes'] == 61000000 for h in [d['window']['heap']]][0]"
ok "window: JSON: trend class and budget margin" json "$js" \
    "[w['trend'] == 'gradual' and w['gate']['name'] == 'idle' and w['gate']['margin_bytes'] == 175 * 1048576 - (150 * 1048576 + 21 * 524288) and w['window_ms'] == 300000 for w in [d['window']]][0]"
ok "window: markdown: the Memory Trend section after Memory Stats" python3 -c '
import sys
s = open(sys.argv[1]).read()
sys.exit(not (0 < s.find("## Memory Stats") < s.find("## Memory Trend") < s.find("## Heap Diff Analysis")))' "$md"
ok "window: markdown: the PSS row" grep -qF "| PSS (process tree) | 22 | 150 MiB | 160.5 MiB | +10.5 MiB | 140 MiB | 160.5 MiB | 210 s |" "$md"
ok "window: markdown: trend and margin" sh -c "grep -qF -- '- Trend of the total PSS over the kept history: **gradual**: +6.00 MiB/hour' '$md' && grep -qF 'is **14.5 MiB under** it (gate OK)' '$md'"
ok "window: markdown: every other section, in order" sections_in_order "$md"
ok "window: HTML: PSS and heap sparklines, one vertex per reading" python3 -c '
import sys, re
s = open(sys.argv[1]).read()
def n(i):
    m = re.search(r"<svg id=\"%s\"[^>]*>.*?points=\"([^\"]*)\"" % i, s, re.S)
    return len(m.group(1).split()) if m else -1
sys.exit(not (n("spark-pss") == 22 and n("spark-heap") == 8 and "<b id=\"trend\">gradual</b>" in s))' "$html"
printf '{"pss": [{"t": 1, "total_pss": "lots"}]}' >"$dir/captured/profwatch/window.json"
analyze "$dir/captured"
ok "bad window: the report still comes out" test "$rc" -eq 0 -a -s "$html"
ok "bad window: the note names the file and the field" json "$js" \
    "d['window'] is None and any('profwatch/window.json' in n and '\"pss\"[0]' in n for n in d['notes'])"

# --- no profiles ------------------------------------------------------------
flare noprofiles
analyze "$dir/noprofiles/host-noprofiles"
ok "noprofiles: exit 0" test "$rc" -eq 0
ok "noprofiles: says so" json "$js" "d['verdict'] == 'normal' and d['profiles_found'] == False"
ok "noprofiles: asks for a profiling flare, method 1" grep -q "sudo datadog-agent flare --profile 30" "$md"
ok "noprofiles: and method 2" grep -q "internal_profiling: enabled: true" "$md"
ok "noprofiles: every section, in order" sections_in_order "$md"

# --- broken and missing files ----------------------------------------------
cp -r "$dir/normal/host-normal" "$dir/broken"
head -c 200 "$dir/broken/profiles/core-cpu.pprof" >"$dir/broken/profiles/x" && mv "$dir/broken/profiles/x" "$dir/broken/profiles/core-cpu.pprof"
rm "$dir/broken/profiles/core-block.pprof"
printf 'Alloc: [oops\n' >"$dir/broken/expvar/memstats"
analyze "$dir/broken"
ok "broken: the report still comes out" test "$rc" -eq 0 -a -s "$md"
ok "broken: names the broken file" grep -q "core-cpu.pprof could not be read" "$md"
ok "broken: and in the JSON" json "$js" "any('core-cpu.pprof' in n for n in d['notes']) and d['processes']['core']['cpu']['problem']"
ok "broken: the missing file is noted" grep -q "No block profile for core" "$md"
ok "broken: memstats problem explained" grep -q "No memory statistics: expvar/memstats" "$md"
ok "broken: the rest is still analysed" json "$js" "d['processes']['core']['heap']['present'] and d['processes']['trace']['heap']['present']"

# --- folder forms and errors -------------------------------------------------
mkdir -p "$dir/parent" && cp -r "$dir/normal/host-normal" "$dir/parent/"
analyze "$dir/parent"
ok "parent folder with one hostname folder" json "$js" "d['hostname'] == 'host-normal'"
cp -r "$dir/leak/host-leak" "$dir/parent/"
"$PW" analyze -o "$out" "$dir/parent" >"$dir/stdout" 2>"$dir/stderr"
ok "two hostname folders: exit 2" test $? -eq 2
ok "two hostname folders: explained" grep -q "exactly one hostname folder" "$dir/stderr"
"$PW" analyze -o "$out" "$dir/nothing-here" >/dev/null 2>"$dir/stderr"
ok "missing path: exit 2" test $? -eq 2
head -c 1000 /dev/urandom >"$dir/random.bin"
"$PW" analyze -o "$out" "$dir/random.bin" >/dev/null 2>"$dir/stderr"
ok "random file: exit 2" test $? -eq 2
ok "random file: explained" grep -q "neither a folder nor a zip" "$dir/stderr"
head -c 3000 "$dir/leak/host-leak.zip" >"$dir/cut.zip"
"$PW" analyze -o "$out" "$dir/cut.zip" >/dev/null 2>"$dir/stderr"
ok "cut zip: exit 2 with a reason" sh -c "test \$(cat '$dir/stderr' | wc -l) -eq 1 && grep -q 'end-of-central-directory' '$dir/stderr'"
"$PW" analyze >/dev/null 2>&1
ok "no argument: exit 2" test $? -eq 2

# --- config -------------------------------------------------------------------
cat >"$dir/pw.yaml" <<'YAML'
rules:
  leak_bytes: 1GB
ownership:
  - pattern: "pkg/trace/agent.*"
    owner: "APM ingestion squad"
    escalate: "#apm-ingest"
YAML
"$PW" analyze --config "$dir/pw.yaml" -o "$out" "$dir/leak/host-leak.zip" >"$dir/stdout"
ok "config: a higher leak limit clears the leak" grep -q "^verdict: normal" "$dir/stdout"
"$PW" analyze --config "$dir/pw.yaml" -o "$out" "$dir/cpu/host-cpu" >"$dir/stdout"
ok "config: an ownership rule takes precedence" grep -q "owner APM ingestion squad" "$dir/stdout"
ok "config: the shipped example loads" "$PW" analyze --config "$(dirname "$0")/../../conf.d/profwatch.yaml" -o "$out" "$dir/normal/host-normal"
printf 'rules:\n  leak_bytes: 10MB\n  cpu_shar: 0.9\n' >"$dir/bad.yaml"
"$PW" analyze --config "$dir/bad.yaml" -o "$out" "$dir/cpu/host-cpu" >/dev/null 2>"$dir/stderr"
ok "config: an unknown key exits 2" test $? -eq 2
ok "config: and names file, line and key" grep -q "bad.yaml:3: unknown key \"cpu_shar\" in rules" "$dir/stderr"

finish analyze
