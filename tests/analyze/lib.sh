# Shared by the analyze tests. Sourced; expects PW_BIN and PW_FIXTURE.
PW="$PW_BIN/profwatch"
checked=0
failed=0

ok() { # ok DESCRIPTION COMMAND...: counts a check, prints it when it fails
    desc=$1
    shift
    checked=$((checked + 1))
    if ! "$@" >/dev/null 2>&1; then
        failed=$((failed + 1))
        echo "FAIL: $desc"
    fi
}

# json FILE PYTHON-EXPRESSION: evaluates the expression with d = the document.
json() {
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"
}

# The markdown report has every section of the flare-profiling seed, in order.
sections_in_order() {
    python3 - "$1" <<'PY'
import sys
text = open(sys.argv[1]).read()
want = ["## Agent Context", "## Memory Stats", "## Heap Diff Analysis", "## CPU Profile",
        "## Block Profile", "## Mutex Profile", "## Trace-Agent and Other Process Profiles",
        "## Trace Files", "## Goroutine Dump", "## Running Checks", "## Verdict",
        "## Recommendations", "## Customer Message", "## Escalation Summary"]
pos = -1
for w in want:
    at = text.find(w, pos + 1)
    if at < 0:
        print("missing or out of order:", w)
        sys.exit(1)
    pos = at
PY
}

finish() {
    echo "$1: $checked checks, $failed failed"
    [ "$checked" -gt 0 ] && [ "$failed" -eq 0 ]
}
