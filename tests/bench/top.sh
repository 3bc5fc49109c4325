#!/bin/sh
# Benchmark: `profwatch top` / `profwatch diff` against `go tool pprof -top`,
# whole process, on the largest profiles at hand. Prints the median wall time
# and peak RSS of each over RUNS runs (the two tools alternate run by run, so
# both see the same machine load), and the ratios.
# Usage: tests/bench/top.sh [RUNS]   (default 11; builds first)
set -eu
cd "$(dirname "$0")/../.."
runs=${1:-11}
cmake -S . -B build >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
PW=build/bin/profwatch
RUN=build/tests/bin/pw_bench_run
shared=../shared/fixtures/pprof
gen=$(mktemp -d)
trap 'rm -rf "$gen"' EXIT
build/tests/bin/pwfixture profiles -o "$gen" -cpu 200ms -large >/dev/null

raw_size() { # bytes of protobuf, after gunzip when the file is gzipped
    if [ "$(head -c 2 "$1" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
        gzip -dc "$1" | wc -c
    else
        wc -c <"$1"
    fi
}

printf '%-34s %9s %10s %9s %10s %9s %8s %6s\n' profile "raw KiB" "pprof ms" "pprof MiB" "profwatch" "pw MiB" speedup "RSS"
row() { # label raw_bytes -- pprof args -- profwatch args
    label=$1 raw=$2
    shift 3
    set -- "$@"
    go_args=""
    while [ "$1" != "--" ]; do go_args="$go_args $1"; shift; done
    shift
    # shellcheck disable=SC2086
    $RUN "$runs" go tool pprof $go_args -- $PW "$@" | tr '\n' ' ' | awk -v label="$label" -v raw="$raw" '{
        printf "%-34s %9.0f %10.1f %9.1f %10.1f %9.1f %7.1fx %5.1fx\n",
            label, raw / 1024, $1 * 1000, $2 / 1024, $3 * 1000, $4 / 1024, $1 / $3, $2 / $4 }'
}

if [ -d "$shared" ]; then
    for f in go-large.cpu.pprof go-stress-after.heap.pprof go-big.heap.pprof; do
        [ -e "$shared/$f" ] && row "$f" "$(raw_size "$shared/$f")" -- -top "$shared/$f" -- top "$shared/$f"
    done
    b="$shared/go-stress-before.heap.pprof" a="$shared/go-stress-after.heap.pprof"
    [ -e "$a" ] && row "diff go-stress before/after" "$(raw_size "$a")" -- -top -diff_base="$b" "$a" -- diff "$b" "$a"
else
    echo "($shared is absent: only generated profiles are measured)"
fi
row "generated heap-large.pprof" "$(raw_size "$gen/heap-large.pprof")" -- -top "$gen/heap-large.pprof" -- top "$gen/heap-large.pprof"
echo "median of $runs runs each; speedup = pprof time / profwatch time; RSS = pprof peak RSS / profwatch peak RSS"
