# Shared by the analyze tests. Sourced; expects PW_BIN and PW_FIXTURE.
PW="$PW_BIN/profwatch"
. "$(dirname "$0")/../lib/check.sh"

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
