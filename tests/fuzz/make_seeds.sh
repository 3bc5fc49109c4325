#!/bin/sh
# Regenerates the generated seeds of tests/fuzz/corpus:
#   pprof/go-*      real runtime profiles from the Go fixture (raw, and two
#                   gzipped), with absolute paths reduced to /fixture/NAME;
#   pprof/edge-*    edge cases built byte by byte (tests/fuzz/seeds.c);
#   gzip/*          gzip streams (seeds.c), plus one gzipped profile.
# The yaml and conf seeds are text, written by hand in their folders.
# Reproducers kept in a corpus folder (regress-*, see README) stay.
set -eu
cd "$(dirname "$0")/../.."
cmake -S . -B build >/dev/null
cmake --build build -j 2 --target pw_fuzz_seeds go_fixture >/dev/null
seeds=build/tests/bin/pw_fuzz_seeds
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

build/tests/bin/pwfixture profiles -o "$tmp" -cpu 300ms >/dev/null
pprof=tests/fuzz/corpus/pprof
gz=tests/fuzz/corpus/gzip
mkdir -p "$pprof" "$gz"
rm -f "$pprof"/go-* "$pprof"/edge-*
find "$gz" -name '*.gz' ! -name 'regress-*' -exec rm -f {} +
for kind in heap cpu block mutex goroutine threadcreate; do
    "$seeds" scrub "$tmp/$kind.pprof" "$pprof/go-$kind.pb"
done
for kind in cpu threadcreate; do
    gzip -9n <"$pprof/go-$kind.pb" >"$pprof/go-$kind.pb.gz"
done
"$seeds" pprof "$pprof"
"$seeds" gzip "$gz"
cp "$pprof/go-cpu.pb.gz" "$gz/profile.pb.gz"
echo "seeds: $(cat tests/fuzz/corpus/*/* | wc -c) bytes in $(find tests/fuzz/corpus -type f | wc -l) files"
