# Shared by the parity tests: compares `profwatch top` with `go tool pprof -top`
# (and diff with -diff_base) byte for byte, for every sample type and a few
# option sets. Sourced; expects PW_BIN.

PW="$PW_BIN/profwatch"
checked=0
failed=0

# Time stamps print in the local zone; pin both tools to the same one.
TZ=UTC
export TZ

sample_types() {
    go tool pprof -raw "$1" 2>/dev/null | sed -n '/^Samples:/{n;p;}' | tr -s ' ' '\n' |
        sed -n 's#/.*##p'
}

compare() { # compare LABEL -- go-args -- pw-args
    label=$1
    shift
    expected=$(mktemp) actual=$(mktemp)
    go_args=""
    while [ "$1" != "--" ]; do go_args="$go_args $1"; shift; done
    shift
    # shellcheck disable=SC2086
    go tool pprof $go_args 2>/dev/null >"$expected"
    "$PW" "$@" >"$actual" 2>&1
    checked=$((checked + 1))
    if ! cmp -s "$expected" "$actual"; then
        failed=$((failed + 1))
        echo "DIFFERS: $label"
        diff "$expected" "$actual" | head -20
    fi
    rm -f "$expected" "$actual"
}

check_top() { # every sample type, flat and cum, with and without a node limit
    f=$1
    for t in $(sample_types "$f"); do
        compare "top $f -sample_index=$t" -top -sample_index="$t" "$f" -- top --sample-index "$t" "$f"
        compare "top $f -sample_index=$t -cum" -top -cum -sample_index="$t" "$f" -- top --cum --sample-index "$t" "$f"
        compare "top $f -sample_index=$t -nodecount=4" -top -nodecount=4 -sample_index="$t" "$f" -- top --nodecount 4 --sample-index "$t" "$f"
    done
}

check_diff() { # base new
    for t in $(sample_types "$2"); do
        compare "diff $1 $2 -sample_index=$t" -top -sample_index="$t" -diff_base="$1" "$2" -- diff --sample-index "$t" "$1" "$2"
    done
    compare "diff $1 $2 -cum" -top -cum -diff_base="$1" "$2" -- diff --cum "$1" "$2"
}

finish() {
    echo "parity: $checked comparisons, $failed differ"
    [ "$checked" -gt 0 ] || { echo "parity: nothing was compared"; exit 1; }
    [ "$failed" -eq 0 ]
}
