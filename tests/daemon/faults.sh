#!/bin/sh
# profwatchd against a target that misbehaves: every fault of the fixture
# (hang, slow, truncated gzip, a body far over the cap, HTML, garbage, a
# reset mid-body, 500, 404), a target that goes down and comes back as a new
# process, and one that never existed. For each, the daemon keeps running,
# answers `profwatch status`, counts the error, says what went wrong, and
# recovers when the target does. Its memory stays bounded throughout.
set -u
command -v python3 >/dev/null || { echo "python3 is missing (run packaging/setup.sh)"; exit 1; }
command -v curl >/dev/null || { echo "curl is missing (run packaging/setup.sh)"; exit 1; }
. "$(dirname "$0")/../lib/scratch.sh"
here=$(dirname "$0")
. "$here/../lib/check.sh"
. "$here/../lib/fixture.sh"
. "$here/lib.sh"

start fx
fx_pid=$pid
# A port nothing listens on: bind one, note it, let it go.
free_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
config "$dir/cfg.yaml" "  - name: absent
    url: http://127.0.0.1:$free_port
http:
  connect_timeout: 1s
  timeout: 2s
  max_body: 4MiB"
# The config above sets http twice; keep the last one only.
python3 - "$dir/cfg.yaml" <<'PY'
import re, sys
p = sys.argv[1]
text = open(p).read()
text = re.sub(r"http:\n  connect_timeout: \d+s\n  timeout: \d+s\n", "", text, count=1)
open(p, "w").write(text)
PY
daemon_start "$dir/cfg.yaml"
target=fixture
within 20 "the fixture is up" "t['state'] == 'up' and t['scrapes']['heap']['ok'] >= 2"

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$dpid/status"; }

# fault NAME ERROR-REGEX: the heap scrape fails with a matching error while
# the fault is on, the daemon answers status meanwhile, and scrapes succeed
# again once it is off.
fault() {
    name=$1 pattern=$2
    holds "True"
    errs=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([t for t in d["targets"] if t["name"]=="fixture"][0]["scrapes"]["heap"]["errors"])' "$dir/status.json")
    fixture_set fault "$name"
    within 15 "$name: the heap scrape fails with /$pattern/" \
        "t['scrapes']['heap']['errors'] > $errs and __import__('re').search(r'''$pattern''', t['scrapes']['heap']['last_error'] or '')"
    ok "$name: the daemon still runs" kill -0 "$dpid"
    ok "$name: the target is down" holds "t['state'] == 'down'"
    fixture_set fault none
    within 15 "$name: scrapes succeed again" "t['state'] == 'up'"
}

# PW_FAULTS: the faults to inject (default: all of them; the valgrind run
# takes a few, as it is slow).
n_faults=0
for f in ${PW_FAULTS:-hang slow truncated-gzip huge html garbage reset status-500 status-404}; do
    n_faults=$((n_faults + 1))
    case $f in
    hang | slow) fault "$f" 'timed out|Timeout' ;;
    truncated-gzip) fault "$f" 'gzip|truncated|unexpected end' ;;
    huge) fault "$f" 'larger than the 4 MiB cap \(http.max_body\)' ;;
    html) fault "$f" 'not a|protobuf|legacy|invalid|wire' ;;
    garbage) fault "$f" 'not a|protobuf|legacy|invalid|wire|gzip' ;;
    reset) fault "$f" 'reset|Recv failure|transfer closed|partial' ;;
    status-500) fault "$f" 'HTTP 500' ;;
    status-404) fault "$f" 'HTTP 404' ;;
    *) ok "PW_FAULTS: no fault named $f" false ;;
    esac
done
# ASan keeps freed memory in quarantine and maps its shadow, and valgrind
# keeps its own shadow of every byte: their bound is looser.
limit_mib=64
if [ "${PW_SANITIZED:-0}" = 1 ] || [ "${PW_VALGRIND:-0}" = 1 ]; then
    limit_mib=512
fi
ok "after every fault, memory is bounded (RSS $(rss_kib) KiB < $limit_mib MiB)" test "$(rss_kib)" -lt $((limit_mib * 1024))
ok "errors are counted in a metric" test "$(lines metric '"name":"profwatch.scrape.errors".*"process:fixture"')" -ge "$n_faults"
ok "the verdict stayed normal" holds "t['verdict'] == 'normal'"
n_warn=$(grep -c "warn scrape:" "$dir/daemon.log")
ok "scrape warnings are rate-limited ($n_warn lines)" test "$n_warn" -le 12
ok "and say when they are suppressed" grep -q "similar messages are suppressed" "$dir/daemon.log"

# --- a target that never existed ------------------------------------------
target=absent
ok "absent: down, with the connection error" holds "t['state'] == 'down' and 'onnect' in (t['scrapes']['heap']['last_error'] or '')"
ok "absent: reported as not up in a metric" test "$(lines metric '"name":"profwatch.target.up","value":0,.*"process:absent"')" -ge 1

# --- the fixture goes down and comes back as a new process ---------------
target=fixture
fixture_set mode contention
sleep 3
kill -KILL "$fx_pid"
within 15 "restart: down while it is gone" "t['state'] == 'down'"
rm -f "$dir/fx2.port"
start fx2 -listen "$addr"
within 20 "restart: up again" "t['state'] == 'up' and t['scrapes']['block']['last_ok'] >= t['scrapes']['block']['last_try'] - 1"
within 20 "restart: contention from the old process clears" "t['verdict'] == 'normal'"
ok "restart: the cumulative profiles started over" grep -q "total went down: the process restarted" "$dir/daemon.log"

holds "True"
ok "status answers with both targets" json "$dir/status.json" "len(d['targets']) == 2"
daemon_stop INT
ok "SIGINT: exit 0" test "$rc" -eq 0
if [ "$failed" -gt 0 ]; then
    echo "== daemon log"
    tail -40 "$dir/daemon.log"
fi
finish "daemon faults"
