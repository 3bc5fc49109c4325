#!/bin/sh
# The CLI's answers to bad input and bad usage: a one-line message that names
# the file and the problem, a non-zero exit, and never a crash.
set -u
PW="$PW_BIN/profwatch"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failed=0
checked=0

expect() { # expect EXIT_CODE "needle" -- args...
    code=$1 needle=$2
    shift 3
    "$PW" "$@" >"$dir/out" 2>"$dir/err"
    rc=$?
    checked=$((checked + 1))
    if [ "$rc" -ne "$code" ] || ! grep -qF -- "$needle" "$dir/err" "$dir/out"; then
        failed=$((failed + 1))
        echo "FAIL: profwatch $* -> exit $rc (want $code), output:"
        cat "$dir/out" "$dir/err" | head -5
        echo "  (expected to contain: $needle)"
    fi
    if [ "$rc" -ge 128 ]; then
        echo "CRASH: profwatch $* died with signal $((rc - 128))"
        failed=$((failed + 1))
    fi
}

"$PW_FIXTURE" profiles -o "$dir/p" -cpu 200ms >/dev/null || exit 1
good="$dir/p/heap.pprof"
head -c 300 "$good" >"$dir/cut.pprof"
printf 'threadcreate profile: total 7\n1 @ 0x44cb3 0x45045\n' >"$dir/legacy.txt"
printf '<!DOCTYPE html><html>404</html>\n' >"$dir/page.html"
head -c 4096 /dev/urandom >"$dir/random.bin"
: >"$dir/empty"

expect 2 "$dir/cut.pprof: gzip data is truncated" -- top "$dir/cut.pprof"
expect 2 "legacy pre-protobuf format" -- top "$dir/legacy.txt"
expect 2 "an HTML page" -- top "$dir/page.html"
expect 2 "$dir/empty: empty input" -- top "$dir/empty"
expect 2 "cannot open" -- top "$dir/missing.pprof"
expect 2 "is a directory" -- top "$dir"
expect 2 "raise it with --max-size" -- top --max-size 100 "$good"
expect 2 "expects a size" -- top --max-size lots "$good"
expect 2 "expects a whole number" -- top --nodecount -3 "$good"
expect 2 "is not in this profile; it has: alloc_objects, alloc_space, inuse_objects, inuse_space" -- top --sample-index cpu "$good"
expect 2 "unknown option --frobnicate" -- top --frobnicate "$good"
expect 2 "expected one profile FILE" -- top
expect 2 "expected two profiles" -- diff "$good"
expect 2 "cannot be compared" -- diff "$good" "$dir/p/cpu.pprof"
expect 2 "unknown command" -- frobnicate
expect 2 "no output: add -o OUT.html" -- flame "$good"
expect 2 "expected one profile FILE" -- flame -o "$dir/x.html"
expect 2 "cannot be compared" -- flame --base "$dir/p/cpu.pprof" "$good" -o "$dir/x.html"
expect 2 "$dir/cut.pprof: gzip data is truncated" -- flame --base "$dir/cut.pprof" "$good" -o "$dir/x.html"
expect 2 "is not in this profile" -- flame --sample-index delay "$good" -o "$dir/x.html"
expect 2 "expects a whole number" -- flame --width -5 "$good" -o "$dir/x.html"
expect 2 "cannot both be standard input" -- flame --base - - -o "$dir/x.html"
expect 1 "cannot write $dir/missing/x.html" -- flame "$good" -o "$dir/missing/x.html"
expect 0 "Usage: profwatch flame" -- flame --help
expect 0 "Usage: profwatch top" -- top --help
expect 0 "Usage: profwatch diff" -- diff -h
expect 0 "Commands:" -- --help
expect 0 "Showing nodes accounting for" -- top "$good"
expect 0 "Showing nodes accounting for" -- top -sample_index=alloc_space -nodecount=3 "$good"

# Random bytes: an error, never a crash. (The exact message depends on the bytes.)
"$PW" top "$dir/random.bin" >/dev/null 2>&1
rc=$?
checked=$((checked + 1))
[ "$rc" -eq 2 ] || { echo "FAIL: random bytes gave exit $rc"; failed=$((failed + 1)); }

# Standard input.
checked=$((checked + 1))
"$PW" top - <"$good" | grep -q "Showing nodes" || { echo "FAIL: reading stdin"; failed=$((failed + 1)); }

# flame writes a whole page, to a file or to standard output, and leaves no
# temporary file behind (pw_fs_write_atomic names it .NAME.tmp.PID).
checked=$((checked + 1))
if ! "$PW" flame --base "$good" "$dir/p/heap-2.pprof" -o "$dir/diff.html" ||
    ! tail -n 1 "$dir/diff.html" | grep -q '^</html>$' || ! grep -q 'pwf-legend' "$dir/diff.html" ||
    ls -a "$dir" | grep -q '^\.diff\.html\.tmp'; then
    echo "FAIL: profwatch flame --base"
    failed=$((failed + 1))
fi
checked=$((checked + 1))
"$PW" flame -o - - <"$dir/p/cpu.pprof" | grep -q '<section class="pwf" id="flame">' ||
    { echo "FAIL: profwatch flame from stdin to stdout"; failed=$((failed + 1)); }

# --json is valid JSON with the same rows as the text.
checked=$((checked + 1))
"$PW" top --json "$good" >"$dir/top.json"
if command -v python3 >/dev/null; then
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["rows"] and d["total"] > 0' "$dir/top.json" ||
        { echo "FAIL: top --json"; failed=$((failed + 1)); }
else
    grep -q '"rows"' "$dir/top.json" || { echo "FAIL: top --json"; failed=$((failed + 1)); }
fi

echo "cli errors: $checked checks, $failed failed"
[ "$failed" -eq 0 ]
