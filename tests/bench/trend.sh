#!/bin/sh
# How the trend classifier answers on random series of known kinds (steps,
# leaks, noise, flat), with the default thresholds: counts per class.
# Usage: tests/bench/trend.sh [SEEDS]   (default 500; builds first)
set -eu
cd "$(dirname "$0")/../.."
cmake -S . -B build >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" --target pw_trend_sweep >/dev/null
build/tests/bin/pw_trend_sweep "${1:-500}"
