#!/bin/sh
# Parity on profiles the Go fixture writes now: heap, allocs, CPU (with labels
# and inlining), block, mutex, goroutine, threadcreate, and a heap pair.
set -u
. "$(dirname "$0")/lib.sh"
command -v go >/dev/null || { echo "go is not installed (run packaging/setup.sh)"; exit 1; }
[ -x "$PW_FIXTURE" ] || { echo "fixture not built: $PW_FIXTURE"; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$PW_FIXTURE" profiles -o "$dir" -cpu 1s -large || exit 1
for f in "$dir"/*.pprof; do
    check_top "$f"
done
check_diff "$dir/heap.pprof" "$dir/heap-2.pprof"
check_diff "$dir/heap-2.pprof" "$dir/heap.pprof"
"$PW_DECODE_CHECK" "$dir"/*.pprof || failed=$((failed + 1))
finish
