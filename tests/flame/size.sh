#!/bin/sh
# The flame graph page stays small on large profiles, because frames
# narrower than a pixel merge into one "…" frame per caller. Bounds, stated
# in README.md ("Flame graphs"):
#   - go-large.cpu.pprof (20,430 samples, 425,051 distinct frames): 32 KiB;
#   - every other third-party profile: 512 KiB;
#   - profwatch analyze's HTML report of a flare whose core-cpu.pprof is
#     go-large.cpu.pprof: 32 KiB; of a flare made of the largest fixtures
#     (that CPU profile, the stress heap pair, a block profile, and the big
#     heap profile for a second process): 512 KiB.
# Skipped (exit 77) when ../shared/fixtures/pprof is absent.
set -u
PW="$PW_BIN/profwatch"
d=$PW_SHARED_FIXTURES
if [ ! -d "$d" ]; then
    echo "SKIP: $d is absent; the page size bound was not checked"
    exit 77
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
failed=0
checked=0

bound() { # bound LIMIT_BYTES NAME -- profwatch flame args
    limit=$1 name=$2
    shift 3
    checked=$((checked + 1))
    if ! "$PW" flame "$@" -o "$out/$name.html"; then
        echo "FAIL: profwatch flame $*"
        failed=$((failed + 1))
        return
    fi
    size=$(wc -c <"$out/$name.html")
    frames=$(grep -c '<rect ' "$out/$name.html")
    printf '%-34s %9d bytes, %5d frames drawn (bound %d)\n' "$name" "$size" "$frames" "$limit"
    if [ "$size" -gt "$limit" ] || ! tail -n 1 "$out/$name.html" | grep -q '^</html>$'; then
        echo "FAIL: $name: the page is $size bytes, over $limit, or incomplete"
        failed=$((failed + 1))
    fi
}

large="$d/go-large.cpu.pprof"
if [ ! -e "$large" ]; then
    echo "FAIL: $large is missing from the shared fixtures"
    exit 1
fi
bound 32768 go-large.cpu -- "$large"
# The frames that carry the profile are drawn: main.next holds 90% of it.
checked=$((checked + 1))
grep -q '>main.next</text>' "$out/go-large.cpu.html" ||
    { echo "FAIL: main.next is not drawn"; failed=$((failed + 1)); }
for f in "$d"/*.pprof; do
    name=$(basename "$f" .pprof)
    [ "$name" = go-large.cpu ] || bound 524288 "$name" -- "$f"
done
bound 524288 stress-diff -- --base "$d/go-stress-before.heap.pprof" "$d/go-stress-after.heap.pprof"
bound 524288 stress-diff-alloc -- --sample-index alloc_space \
    --base "$d/go-stress-before.heap.pprof" "$d/go-stress-after.heap.pprof"

# The analyze report: the same graphs, with the report's text around them.
report_bound() { # report_bound LIMIT_BYTES NAME: analyze $out/NAME/host-NAME
    limit=$1 name=$2
    checked=$((checked + 1))
    if ! "$PW" analyze -o "$out/$name-report" "$out/$name/host-$name" >/dev/null; then
        echo "FAIL: profwatch analyze $out/$name/host-$name"
        failed=$((failed + 1))
        return
    fi
    page="$out/$name-report/flare-profiling-host-$name.html"
    size=$(wc -c <"$page")
    graphs=$(grep -c 'class="pwf-data"' "$page")
    printf '%-34s %9d bytes, %5d graphs (bound %d)\n' "report $name" "$size" "$graphs" "$limit"
    if [ "$size" -gt "$limit" ] || ! tail -n 1 "$page" | grep -q '^</html>$'; then
        echo "FAIL: report $name: the page is $size bytes, over $limit, or incomplete"
        failed=$((failed + 1))
    fi
}
mkdir -p "$out/large/host-large/profiles" "$out/big/host-big/profiles"
cp "$large" "$out/large/host-large/profiles/core-cpu.pprof"
report_bound 32768 large
checked=$((checked + 1))
grep -q '>main.next</text>' "$out/large-report/flare-profiling-host-large.html" ||
    { echo "FAIL: main.next is not drawn in the report"; failed=$((failed + 1)); }
p="$out/big/host-big/profiles"
cp "$large" "$p/core-cpu.pprof"
cp "$d/go-stress-before.heap.pprof" "$p/core-1st-heap.pprof"
cp "$d/go-stress-after.heap.pprof" "$p/core-2nd-heap.pprof"
cp "$d/go-after.block.pprof" "$p/core-block.pprof"
cp "$d/go-big.heap.pprof" "$p/trace-2nd-heap.pprof"
report_bound 524288 big
checked=$((checked + 1))
[ "$(grep -c 'class="pwf-data"' "$out/big-report/flare-profiling-host-big.html")" -eq 4 ] ||
    { echo "FAIL: the big flare's report does not draw its 4 graphs"; failed=$((failed + 1)); }

echo "flame size: $checked checks, $failed failed"
[ "$failed" -eq 0 ]
