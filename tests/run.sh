#!/bin/sh
# The whole test suite, as CI runs it: a build with warnings as errors and
# every test, then the same suite built with ASan+UBSan.
# Usage: tests/run.sh            (both builds)
#        PW_SKIP_SANITIZE=1 tests/run.sh   (the plain build only, for a quick loop)
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
echo "== all tests passed"
