# Sourced first by the tests that start processes: $dir, a temporary folder
# removed at exit (PW_KEEP=1 keeps it and says where), and $pids, the
# processes killed at exit however the script ends.
dir=$(mktemp -d)
pids=""
cleanup() {
    for p in $pids; do kill -KILL "$p" 2>/dev/null; done
    [ -n "${PW_KEEP-}" ] && { echo "kept $dir"; return; }
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
