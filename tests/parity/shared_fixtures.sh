#!/bin/sh
# Parity on real third-party profiles kept beside the project (never copied
# into it). Skipped, and reported as skipped, when that folder is absent.
set -u
. "$(dirname "$0")/lib.sh"
if [ ! -d "$PW_SHARED_FIXTURES" ]; then
    echo "SKIP: $PW_SHARED_FIXTURES is absent; the third-party compatibility check did not run"
    exit 77
fi
command -v go >/dev/null || { echo "go is not installed (run packaging/setup.sh)"; exit 1; }
d=$PW_SHARED_FIXTURES
n=0
for f in "$d"/*.pprof; do
    [ -e "$f" ] || continue
    n=$((n + 1))
    check_top "$f"
done
[ "$n" -gt 0 ] || { echo "no .pprof files in $d"; exit 1; }
for pair in "go-before.block.pprof go-after.block.pprof" \
            "go-small-before.heap.pprof go-small-after.heap.pprof" \
            "go-stress-before.heap.pprof go-stress-after.heap.pprof"; do
    set -- $pair
    [ -e "$d/$1" ] && [ -e "$d/$2" ] && check_diff "$d/$1" "$d/$2"
done
"$PW_DECODE_CHECK" "$d"/*.pprof "$d"/legacy-* || failed=$((failed + 1))
finish
