#!/bin/sh
# profwatch analyze on a flare built from third-party profiles (real programs
# this project did not write), with a status.log in the agent's format. The
# CPU profile spends 90% in main.next (through time.Now), so the verdict is a
# CPU spike there; the heap and block pairs barely change.
set -u
. "$(dirname "$0")/lib.sh"
s=$PW_SHARED_FIXTURES
if [ ! -d "$s" ]; then
    echo "SKIP: $s is absent; the third-party flare check did not run"
    exit 77
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
f="$dir/ext-host"
mkdir -p "$f/profiles"
cp "$s/go-stress-before.heap.pprof" "$f/profiles/core-1st-heap.pprof"
cp "$s/go-stress-after.heap.pprof" "$f/profiles/core-2nd-heap.pprof"
cp "$s/go-large.cpu.pprof" "$f/profiles/core-cpu.pprof"
cp "$s/go-before.block.pprof" "$f/profiles/core-block.pprof"
cp "$s/go-small-before.heap.pprof" "$f/profiles/trace-1st-heap.pprof"
cp "$s/go-small-after.heap.pprof" "$f/profiles/trace-2nd-heap.pprof"
cp "$s/c-sample.cpu.pprof" "$f/profiles/trace-cpu.pprof"
printf '===============\nAgent (v7.50.3)\n===============\n\n  Status date: 2024-01-05 10:00:00.000 UTC (1704448800000)\n  Agent start: 2024-01-05 09:00:00.000 UTC (1704445200000)\n  Go Version: go1.21.5\n' >"$f/status.log"
"$PW" analyze -o "$dir/out" "$f" >"$dir/stdout" || { echo "analyze failed"; exit 1; }
js="$dir/out/flare-profiling-ext-host.json"
md="$dir/out/flare-profiling-ext-host.md"
ok "verdict: cpu spike" json "$js" "d['verdict'] == 'cpu_spike'"
ok "top function and owner" json "$js" "d['findings'][0]['function'] == 'main.next' and d['findings'][0]['owner'] == 'Unknown' and d['findings'][0]['process'] == 'core'"
ok "no leak in the stress pair" json "$js" "d['processes']['core']['heap_growth_bytes'] == 0"
ok "the C profile of 'trace' is judged" json "$js" "d['processes']['trace']['cpu']['rule']['judged']"
ok "uptime from status.log" json "$js" "d['agent']['uptime_seconds'] == 3600 and d['agent']['version'] == '7.50.3'"
ok "every section, in order" sections_in_order "$md"
finish third-party
