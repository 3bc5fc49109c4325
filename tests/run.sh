#!/bin/sh
# The whole test suite, as CI runs it: a build with warnings as errors and
# every test, then the same suite built with ASan+UBSan, then a short run of
# every fuzz target (clang, in its own build folder).
# Usage: tests/run.sh            (all of it)
#        PW_SKIP_SANITIZE=1 tests/run.sh   (the plain build only, for a quick loop)
#        PW_SKIP_FUZZ=1 tests/run.sh       (no fuzzing)
#        PW_FUZZ_SECONDS=N tests/run.sh    (N seconds per fuzz target)
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

echo "== build (warnings are errors)"
cmake -S . -B build -DPW_WERROR=ON >/dev/null
cmake --build build -j "$jobs"
echo "== tests"
ctest --test-dir build --output-on-failure

if [ "${PW_SKIP_SANITIZE:-0}" != 1 ]; then
    echo "== build with ASan+UBSan"
    cmake -S . -B build-sanitize -DPW_WERROR=ON -DPW_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
    cmake --build build-sanitize -j "$jobs"
    echo "== tests under ASan+UBSan"
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --test-dir build-sanitize --output-on-failure
fi
if [ "${PW_SKIP_FUZZ:-0}" != 1 ]; then
    # About 80 s of fuzzing in all, shared by the targets (at least 5 s each),
    # so that the smoke, build included, stays near two minutes as targets come.
    set -- tests/fuzz/fuzz_*.c
    secs=$((80 / $#))
    [ "$secs" -ge 5 ] || secs=5
    tests/fuzz/run.sh "${PW_FUZZ_SECONDS:-$secs}"
fi
echo "== all tests passed"
