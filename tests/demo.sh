#!/bin/sh
# The main job on an embedded default, no Datadog account or agent needed:
# builds profwatch and its Go fixture, has the fixture write real Go profiles,
# and shows `profwatch top` and `profwatch diff` next to the go tool pprof
# commands they replace.
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build >/dev/null
cmake --build build -j "$jobs" >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "== the Go fixture writes real runtime profiles into $out"
build/tests/bin/pwfixture profiles -o "$out" -cpu 1s
echo
echo "== profwatch top cpu.pprof          (same output as: go tool pprof -top cpu.pprof)"
build/bin/profwatch top "$out/cpu.pprof"
echo
echo "== profwatch diff heap.pprof heap-2.pprof   (go tool pprof -top -diff_base=heap.pprof heap-2.pprof)"
build/bin/profwatch diff --nodecount 8 "$out/heap.pprof" "$out/heap-2.pprof"
