#!/bin/sh
# Benchmark: what one read of a process's memory costs, as profwatchd will pay
# it every cycle (smaps_rollup) and every tenth cycle (smaps). Measured on
# three processes started for the purpose: the Go fixture's agent stand-in
# (pwfixture serve), pw_memhog holding 56 MiB, and a Python interpreter with
# many extension modules loaded (many file mappings, like the Agent's
# embedded Python). Prints medians; never fails on time.
# Usage: tests/bench/smaps.sh [RUNS] [PID...]   (default 201 runs; builds first)
set -eu
cd "$(dirname "$0")/../.."
runs=${1:-201}
[ $# -gt 0 ] && shift
cmake -S . -B build >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
BENCH=build/tests/bin/pw_bench_smaps
tmp=$(mktemp -d)
gopid=""
pypid=""
hogpid=""
trap 'for p in $gopid $pypid $hogpid; do kill "$p" 2>/dev/null; done; wait; rm -rf "$tmp"' EXIT

pids="$*"
if [ -z "$pids" ]; then
    if [ -x build/tests/bin/pwfixture ]; then
        # The Go fixture's agent stand-in: debug endpoints and background work.
        build/tests/bin/pwfixture serve -port-file "$tmp/port" >/dev/null 2>&1 &
        gopid=$!
        while [ ! -s "$tmp/port" ]; do sleep 0.1; done
        sleep 2 # let its heap settle
        pids=$gopid
    else
        echo "(pwfixture not built (no Go toolchain): no Go process measured)"
    fi
    # Few mappings but 56 MiB resident: the kernel's page walk grows with it.
    mkfifo "$tmp/hog-in"
    build/tests/bin/pw_memhog 32 "$tmp/mapped.bin" 16 8 <"$tmp/hog-in" >"$tmp/hog-ready" &
    hogpid=$!
    exec 3>"$tmp/hog-in"
    while ! grep -q ready "$tmp/hog-ready" 2>/dev/null; do sleep 0.1; done
    pids="$pids $hogpid"
    # Many file mappings, like the Agent's embedded Python: an interpreter
    # with a set of extension modules loaded.
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import sys, time, json, ssl, sqlite3, decimal, hashlib, ctypes, socket, zlib, bz2, lzma, csv, uuid, asyncio, unicodedata, multiprocessing, xml.etree.ElementTree
print("ready", flush=True)
time.sleep(3600)' >"$tmp/py-ready" &
        pypid=$!
        while ! grep -q ready "$tmp/py-ready" 2>/dev/null; do sleep 0.1; done
        pids="$pids $pypid"
    fi
fi

for pid in $pids; do
    printf '== %s (%s)\n' "$(cat /proc/"$pid"/comm)" "$pid"
    $BENCH "$pid" "$runs"
done
