#!/bin/sh
# Builds the libFuzzer targets with clang in their own folder and runs each
# one, one after the other, for SECONDS (default 10), starting from its seeds
# in tests/fuzz/corpus/<name>/. Prints executions and the result per target.
# Fails on any crash, broken promise, leak, undefined behaviour, out-of-memory
# or timeout, and names the folder that holds the reproducer.
#
# Usage: tests/fuzz/run.sh [SECONDS] [NAME...]     (NAME: pprof, gzip, ...)
# Environment: PW_FUZZ_BUILD (build folder, default build-fuzz).
set -eu
cd "$(dirname "$0")/../.."
secs=${1:-10}
[ $# -gt 0 ] && shift
build=${PW_FUZZ_BUILD:-build-fuzz}
jobs=$(nproc 2>/dev/null || echo 2)

# Per input: 10 s at most, and memory far above what any parser needs for
# inputs of libFuzzer's sizes, so that hitting either is a finding.
limits="-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512"

command -v clang >/dev/null 2>&1 || {
    echo "fuzz: clang is not installed (run packaging/setup.sh)" >&2
    exit 1
}
echo "== fuzz: build with clang, libFuzzer, ASan+UBSan ($build)"
cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang -DPW_FUZZ=ON -DPW_WERROR=ON >/dev/null
cmake --build "$build" -j "$jobs" >/dev/null

targets=$*
if [ -z "$targets" ]; then
    for src in tests/fuzz/fuzz_*.c; do
        src=${src##*/fuzz_}
        targets="$targets ${src%.c}"
    done
fi
work="$build/fuzz-run"
rm -rf "$work"
# Times in reports print in the local zone; pin it so runs compare.
TZ=UTC
export TZ
# UBSan aborts (the build uses -fno-sanitize-recover), with a stack, so that
# libFuzzer saves the input.
UBSAN_OPTIONS=print_stacktrace=1
export UBSAN_OPTIONS

printf '%-8s %8s %10s %8s %8s  %s\n' target seconds executions exec/s corpus result
failed=0
passed=0
for name in $targets; do
    bin="$build/tests/bin/fuzz_$name"
    seeds="tests/fuzz/corpus/$name"
    dir="$work/$name"
    if [ ! -x "$bin" ] || [ ! -d "$seeds" ]; then
        echo "fuzz: $name: no target $bin or no seeds in $seeds" >&2
        failed=$((failed + 1))
        continue
    fi
    mkdir -p "$dir/corpus" "$dir/crash"
    set -- -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$dir/crash/"
    [ -f "tests/fuzz/fuzz_$name.dict" ] && set -- "$@" -dict="tests/fuzz/fuzz_$name.dict"
    # New inputs go to the first folder, so the seeds in the tree stay as they are.
    rc=0
    # shellcheck disable=SC2086
    "$bin" "$@" $limits "$dir/corpus" "$seeds" >"$dir/log" 2>&1 || rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -n 1)
    units=$(find "$dir/corpus" "$seeds" -type f | wc -l)
    if [ "$rc" -eq 0 ] && [ -z "$(ls -A "$dir/crash")" ]; then
        result=ok
    else
        why=$(grep -m 1 -E 'ERROR: |runtime error|broken promise' "$dir/log" || echo "exit $rc")
        result="FAILED: $why"
        failed=$((failed + 1))
    fi
    printf '%-8s %8s %10s %8s %8s  %s\n' "$name" "$secs" "${execs:-?}" "${rate:-?}" "$units" "$result"
    if [ "$result" = ok ]; then
        passed=$((passed + 1))
    else
        echo "   log: $dir/log"
        echo "   reproducer: $dir/crash/ ($(find "$dir/crash" -type f | tr '\n' ' '))"
        echo "   replay it: $bin $dir/crash/<file>"
    fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
