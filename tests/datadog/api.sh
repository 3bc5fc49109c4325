#!/bin/sh
# The api output against a fake intake on 127.0.0.1 that validates every
# payload: an outage (500, a closed connection, a hang past the timeout, 429)
# and its end lose nothing and duplicate nothing, a reload in the middle
# included; the same across a restart,
# through the spool; bounds that force drops count them; 403 and 400 are
# dropped with the reason logged; 413 is split and resent. What the intake
# received is compared, item by item, with the daemon's jsonl output. The
# API key appears in no log, status, report, capture or state file.
set -u
command -v python3 >/dev/null || { echo "python3 is missing (run packaging/setup.sh)"; exit 1; }
command -v curl >/dev/null || { echo "curl is missing (run packaging/setup.sh)"; exit 1; }
. "$(dirname "$0")/../lib/scratch.sh"
here=$(dirname "$0")
. "$here/../lib/check.sh"
. "$here/../lib/fixture.sh"
. "$here/../daemon/lib.sh"

key="pwtest$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
DD_API_KEY=$key
export DD_API_KEY

# intake_start NAME [MODE]: a fake intake writing $dir/NAME.*; sets $iaddr.
intake_start() {
    python3 "$here/fake_intake.py" --port-file "$dir/$1.port" --records "$dir/$1.records" \
        --errors "$dir/$1.errors" --api-key "$key" --mode "${2-ok}" 2>"$dir/$1.log" &
    ipid=$!
    pids="$pids $ipid"
    n=0
    until [ -s "$dir/$1.port" ]; do
        n=$((n + 1))
        [ $n -gt 100 ] && { echo "FAIL: the fake intake did not start"; cat "$dir/$1.log"; exit 1; }
        sleep 0.1
    done
    iaddr="127.0.0.1:$(cat "$dir/$1.port")"
}

# intake JSON: changes the running intake's answers.
intake() {
    curl -sS --max-time 5 -X POST "http://$iaddr/_control" -d "$1" >/dev/null
}

# api_config FILE NAME [EXTRA-API-SETTINGS]: fast cycles, the fixture as the
# target, a jsonl output and an api output with short backoff and timeouts.
api_config() {
    cat >"$1" <<YAML
hostname: test-host
datadog_config: ""
reports_dir: $dir/$2/reports
state_dir: $dir/$2/state
status_socket: $sock
outputs:
  - type: jsonl
    path: $dir/$2/metrics.jsonl
  - type: api
    url: http://$iaddr
    backoff_base: 50ms
    backoff_max: 400ms
    timeout: 1s
    connect_timeout: 500ms
${3-}
intervals:
  expvar: 500ms
  heap: 1s
  contention: 1s
  cpu_every: 0
window: 12s
targets:
  - name: fixture
    url: http://$addr
YAML
}

API='[o for o in d["outputs"] if o["type"] == "api"][0]'
drained() { echo "$API[\"queue_bytes\"] == 0 and $API[\"spool_bytes\"] == 0 and $API[\"sent\"] > 0"; }
field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($API[sys.argv[2]])" "$dir/status.json" "$1"; }

start fixture

# --- an outage and its end: every item exactly once --------------------------
intake_start a 500
sock="$dir/a.sock"
mkdir -p "$dir/a"
api_config "$dir/a.yaml" a
daemon_start "$dir/a.yaml"
within 10 "500: retried with backoff" "$API[\"retries\"] >= 3 and $API[\"queue_bytes\"] > 0"
# A reload in the middle: the old output spools its queue, the new one sends it.
kill -HUP "$dpid"
within 10 "reload: the new api output holds the old one's payloads" "d[\"reloads\"] == 1 and $API[\"spool_bytes\"] > 0"
intake '{"mode": "close"}'
sleep 1
intake '{"mode": "429"}'
sleep 1
intake '{"mode": "hang"}'
sleep 1.5
intake '{"mode": "ok"}'
within 15 "the queue drains once the intake is back" "$(drained)"
"$PW" status --socket "$sock" >"$dir/a/status.txt" 2>&1
daemon_stop TERM
ok "outage: clean stop" test "$rc" -eq 0
ok "outage: every item arrived exactly once" python3 "$here/compare.py" "$dir/a/metrics.jsonl" "$dir/a.records"
python3 "$here/compare.py" "$dir/a/metrics.jsonl" "$dir/a.records" | sed 's/^/  /'
ok "outage: every payload had the documented shape" test ! -s "$dir/a.errors"
ok "outage: 500 logged" grep -q "HTTP 500; .* kept, retried with backoff" "$dir/daemon.log"
ok "outage: a closed connection logged" grep -q "Empty reply\|connection\|closed" "$dir/daemon.log"
ok "outage: the timeout logged" grep -q ": timed out; " "$dir/daemon.log"
ok "outage: 429 logged" grep -q "HTTP 429; " "$dir/daemon.log"
ok "outage: recovery logged" grep -q "the intake accepts again" "$dir/daemon.log"
ok "outage: nothing dropped" test "$(field dropped)" -eq 0
mv "$dir/daemon.log" "$dir/a/daemon.log"

# --- across a restart, through the spool --------------------------------------
intake_start b 503
sock="$dir/b.sock"
mkdir -p "$dir/b"
api_config "$dir/b.yaml" b
daemon_start "$dir/b.yaml"
within 10 "503: retried" "$API[\"retries\"] >= 2"
daemon_stop TERM
ok "restart: clean stop" test "$rc" -eq 0
spool="$dir/b/state/spool/api"
nfiles=$(ls "$spool" | grep -c '\.gz$')
ok "restart: what was queued is spooled at stop" test "$nfiles" -gt 0
ok "restart: the spool folder is 0750" test "$(stat -c %a "$spool")" = 750
ok "restart: spool files are 0640" sh -c "! stat -c %a '$spool'/*.gz | grep -v '^640$'"
ok "restart: the stop says what was kept" grep -q "kept for the next start" "$dir/daemon.log"
intake '{"mode": "ok"}'
daemon_start "$dir/b.yaml"
within 10 "restart: the spool is sent and empty" "$(drained)"
daemon_stop TERM
ok "restart: the start says the spool is sent first" grep -q "wait in the spool: sent first" "$dir/daemon.log"
ok "restart: every item arrived exactly once" python3 "$here/compare.py" "$dir/b/metrics.jsonl" "$dir/b.records"
python3 "$here/compare.py" "$dir/b/metrics.jsonl" "$dir/b.records" | sed 's/^/  /'
ok "restart: the spool went first (the first request holds the oldest point)" python3 -c '
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(0 if min(x["ts"] for x in r if x["request"] == 1) == min(x["ts"] for x in r) else 1)' "$dir/b.records"
ok "restart: nothing left in the spool" test -z "$(ls "$spool")"
ok "restart: every payload had the documented shape" test ! -s "$dir/b.errors"
mv "$dir/daemon.log" "$dir/b/daemon.log"

# --- bounds: the oldest goes first, and it is counted ---------------------------
intake_start c 500
sock="$dir/c.sock"
mkdir -p "$dir/c"
api_config "$dir/c.yaml" c "    queue_max: 1KiB
    spool_max: 3KiB"
daemon_start "$dir/c.yaml"
within 10 "bounds: drops are counted" "$API[\"dropped\"] > 0"
intake '{"mode": "ok"}'
within 10 "bounds: the rest drains" "$(drained)"
daemon_stop TERM
dropped=$(field dropped)
ok "bounds: received + counted as dropped = written, none twice" python3 "$here/compare.py" "$dir/c/metrics.jsonl" "$dir/c.records" --dropped "$dropped"
python3 "$here/compare.py" "$dir/c/metrics.jsonl" "$dir/c.records" --dropped "$dropped" | sed 's/^/  /'
ok "bounds: the drop is logged" grep -q "the spool is full (spool_max): its oldest payloads were removed" "$dir/daemon.log"
mv "$dir/daemon.log" "$dir/c/daemon.log"

# --- 403 and 400 dropped with the reason; 413 split and resent ------------------
intake_start d 403
sock="$dir/d.sock"
mkdir -p "$dir/d"
api_config "$dir/d.yaml" d
daemon_start "$dir/d.yaml"
within 10 "403: dropped at once, not retried" "$API[\"dropped\"] > 0 and $API[\"retries\"] == 0"
ok "403: the log says the key was refused and where it came from" grep -q "dropped, the key was refused: the intake refused the API key (HTTP 403): check the key from DD_API_KEY" "$dir/daemon.log"
intake '{"mode": "400"}'
sleep 1.5
ok "400: the log gives the intake's reason" grep -q 'dropped, rejected: the intake rejected the payload (HTTP 400: {"errors":\["Payload is not in the expected format"\]})' "$dir/daemon.log"
intake '{"mode": "ok", "split_over": 6}'
sleep 1.5
intake '{"split_over": 0}'
within 15 "413: the queue drains" "$(drained)"
ok "413 and 400: still no retries" test "$(field retries)" -eq 0
daemon_stop TERM
dropped=$(field dropped)
ok "413: split and resent" grep -q "too large (HTTP 413): sent again as 2 smaller ones" "$dir/daemon.log"
ok "413: received + dropped (403, 400) = written, none twice" python3 "$here/compare.py" "$dir/d/metrics.jsonl" "$dir/d.records" --dropped "$dropped"
python3 "$here/compare.py" "$dir/d/metrics.jsonl" "$dir/d.records" --dropped "$dropped" | sed 's/^/  /'
ok "413: while the intake took at most 6 items a payload, none had more" python3 -c '
import collections, json, sys
c = collections.Counter(x["request"] for x in map(json.loads, open(sys.argv[1]))
                        if x["kind"] != "event" and x["split_over"] == 6)
sys.exit(0 if c and max(c.values()) <= 6 else 1)' "$dir/d.records"
mv "$dir/daemon.log" "$dir/d/daemon.log"

# --- the key from the agent's datadog.yaml (a wrong one here) ------------------
wrong="pwwrong$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
mkdir -p "$dir/agent" "$dir/e"
printf 'api_key: %s\nexpvar_port: 1\nprocess_config:\n  enabled: disabled\n' "$wrong" >"$dir/agent/datadog.yaml"
chmod 0644 "$dir/agent/datadog.yaml" # readable by all: warned about
sock="$dir/e.sock"
api_config "$dir/e.yaml" e
sed -i "s|^datadog_config: \"\"|datadog_config: $dir/agent/datadog.yaml\nsystem_probe_config: \"\"|" "$dir/e.yaml"
DD_API_KEY="" # set but empty counts as unset
daemon_start "$dir/e.yaml"
within 10 "datadog.yaml's key: used, and refused" "$API[\"dropped\"] > 0"
daemon_stop TERM
DD_API_KEY=$key
ok "datadog.yaml's key: the log names the file, not the key" grep -q "the key was refused: .*check the key from api_key in $dir/agent/datadog.yaml" "$dir/daemon.log"
ok "datadog.yaml's key: never logged" sh -c "! grep -qF '$wrong' '$dir/daemon.log'"
ok "datadog.yaml's key: a file every user can read is warned about" grep -q "warn api: $dir/agent/datadog.yaml holds api_key and every user can read it (mode 0644)" "$dir/daemon.log"
mv "$dir/daemon.log" "$dir/e/daemon.log"

# --- no API key, no start; and the key is nowhere ------------------------------
env -u DD_API_KEY "$PWD_BIN" --config "$dir/d.yaml" --foreground 2>"$dir/nokey.err"
ok "no API key: exit 1" test $? -eq 1
ok "no API key: says where to set one" grep -q "outputs\[1\]: api: no API key: set DD_API_KEY, or api_key in the agent's datadog.yaml" "$dir/nokey.err"
env -u DD_API_KEY "$PWD_BIN" --config "$dir/d.yaml" --check-config >"$dir/check.out" 2>"$dir/check.err"
ok "no API key: --check-config fails too (exit 2)" test $? -eq 2
ok "no API key: --check-config says the same" grep -q "outputs\[1\]: api: no API key: set DD_API_KEY" "$dir/check.err"
"$PWD_BIN" --config "$dir/d.yaml" --check-config >"$dir/check.out" 2>&1
ok "--check-config: names the api output's intake and where its key comes from" grep -q "^output api http://$iaddr (API key from DD_API_KEY)" "$dir/check.out"
ok "the API key appears in no log, status, report, capture or state file" sh -c "! grep -rlF '$key' '$dir'"
ok "status shows the api output's queue" grep -q "^output api: [0-9]* sent, [0-9]* errors, 0 dropped; [0-9]* bytes queued, [0-9]* spooled, [0-9]* retries" "$dir/a/status.txt"
finish datadog_api
