#!/bin/sh
# The flame graph page in a real browser: headless Chromium, driven through
# chromedriver, loads a page with a differential heap flame graph and a CPU
# flame graph made from profiles the Go fixture writes now, and hovers,
# clicks, resets and searches in each (tests/flame/browser.py); then the same
# in the HTML report profwatch analyze writes for a fixture's flare. Fails, never
# skips, when Chromium is missing or cannot start: packaging/setup.sh
# installs it. The screenshot goes to the build folder.
set -u
command -v python3 >/dev/null || { echo "python3 is not installed (run packaging/setup.sh)"; exit 1; }
[ -x "$PW_FIXTURE" ] || { echo "fixture not built: $PW_FIXTURE"; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$PW_FIXTURE" profiles -o "$dir" -cpu 1s >/dev/null || exit 1
"$PW_FLAME_PAGE" "$dir/page.html" "$dir/cpu.pprof" "$dir/heap.pprof" "$dir/heap-2.pprof" || exit 1
# The fixture grows the heap in ContextResolver.TrackContext between the two
# snapshots and spends its CPU profile in internal/work.
timeout 180 python3 "$(dirname "$0")/browser.py" "$dir/page.html" "$PW_BUILD/flame-browser.png" \
    --section 'heap:TrackContext' --section 'cpu:work\.Spin' || exit 1

# The report profwatch analyze writes for a flare the fixture writes now
# (a leak: TrackContext grows between the heap snapshots), with the window
# file a daemon capture holds: the findings, both sparklines, and the heap
# diff and CPU graphs in use.
"$PW_FIXTURE" flare -o "$dir/flare" -host host-leak -scenario leak -cpu 1s >/dev/null || exit 1
mkdir -p "$dir/flare/host-leak/profwatch"
python3 - "$dir/flare/host-leak/profwatch/window.json" <<'PY' || exit 1
import json, sys
t0 = 1764990000000
json.dump({"process": "core", "verdict": "memory_leak", "window_ms": 120000,
           "heap": [{"t": t0 + i * 15000, "inuse": 4000000 + i * 250000, "outside_runtime": 0}
                    for i in range(9)],
           "pss": [{"t": t0 + i * 5000, "total_pss": 90000000 + i * 100000} for i in range(25)],
           "memory": None, "gate": None}, open(sys.argv[1], "w"))
PY
"$PW_BIN/profwatch" analyze -o "$dir/report" "$dir/flare/host-leak" >/dev/null || exit 1
timeout 180 python3 "$(dirname "$0")/browser.py" "$dir/report/flare-profiling-host-leak.html" \
    "$PW_BUILD/report-browser.png" --expect '#findings' --expect '#spark-pss polyline' \
    --expect '#spark-heap polyline' \
    --section 'core-heap:TrackContext' --section 'core-cpu:burn' || exit 1

# The largest third-party profile, as profwatch flame draws it, when present.
large="$PW_SHARED_FIXTURES/go-large.cpu.pprof"
if [ -e "$large" ]; then
    "$PW_BIN/profwatch" flame "$large" -o "$dir/large.html" || exit 1
    timeout 180 python3 "$(dirname "$0")/browser.py" "$dir/large.html" \
        "$PW_BUILD/flame-browser-large.png" --section 'flame:main\.next' || exit 1
else
    echo "($large is absent: only the fixture's page was loaded)"
fi
