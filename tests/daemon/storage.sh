#!/bin/sh
# profwatchd when its reports folder cannot take a capture: a folder it cannot
# create (a file is in the way), a full filesystem (a 1 MiB tmpfs mounted for
# the daemon alone, in a user and mount namespace of its own: no root needed),
# and a file-size limit (RLIMIT_FSIZE). For each: the daemon keeps running,
# answers `profwatch status`, counts the failed capture in status and in the
# profwatch.capture.errors metric, logs one clear line, leaves no
# half-written capture, and captures again once the folder can take it. Also the modes of what it creates, under
# umask 000: folders 0750, files 0640, the status socket 0660.
set -u
command -v python3 >/dev/null || { echo "python3 is missing (run packaging/setup.sh)"; exit 1; }
command -v curl >/dev/null || { echo "curl is missing (run packaging/setup.sh)"; exit 1; }
. "$(dirname "$0")/../lib/scratch.sh"
here=$(dirname "$0")
. "$here/../lib/check.sh"
. "$here/../lib/fixture.sh"
. "$here/lib.sh"

start fx
mnt="$dir/mnt"
mkdir -p "$mnt"
# The full filesystem needs a tmpfs the test may mount: a user namespace
# (unshare -r) gives that right without root, where the system allows it.
if unshare -rm sh -c "mount -t tmpfs -o size=1m tmpfs '$mnt'" 2>/dev/null; then
    have_ns=1
    real=$PWD_BIN
    cat >"$dir/profwatchd-ns" <<SH
#!/bin/sh
exec unshare -rm sh -c 'mount -t tmpfs -o size=1m tmpfs "\$0" && exec "\$@"' "$mnt" "$real" "\$@"
SH
    chmod +x "$dir/profwatchd-ns"
    PWD_BIN="$dir/profwatchd-ns"
else
    have_ns=0
fi
config "$dir/cfg.yaml" "captures:
  keep: 5"
sed -i "s|^reports_dir: .*|reports_dir: $mnt/reports|" "$dir/cfg.yaml"
umask 000
daemon_start "$dir/cfg.yaml"
umask 022
# The daemon's view of its reports folder (its tmpfs, when it has one).
if [ "$have_ns" = 1 ]; then
    reports="/proc/$dpid/root$mnt/reports"
    fill="/proc/$dpid/root$mnt/filler"
else
    reports="$mnt/reports"
fi
target=fixture

# raise N: the CPU spike is raised for the Nth time.
raise() {
    fixture_set mode normal
    within 40 "$1: back to normal first" "t['verdict'] == 'normal'"
    fixture_set mode cpu
    within 30 "$1: cpu_spike raised" "t['verdict'] == 'cpu_spike'"
}

errors_logged() { grep -c "error capture: fixture: " "$dir/daemon.log"; }

# --- a reports folder that cannot be created --------------------------------
rmdir "$reports" 2>/dev/null
: >"$reports"
raise unwritable
within 10 "unwritable: the failed capture is counted, with why" \
    "t['capture_errors'] == 1 and t['captures'] == 0 and 'is not a folder' in (t['last_capture_error'] or '')"
ok "unwritable: the daemon runs" kill -0 "$dpid"
ok "unwritable: the metric says 1" test "$(lines metric '"name":"profwatch.capture.errors","value":1,')" -ge 1
ok "unwritable: one clear log line" test "$(errors_logged)" -eq 1
ok "unwritable: it names the folder and the cause" grep -q "error capture: fixture: $mnt/reports exists but is not a folder" "$dir/daemon.log"
"$PW" status --socket "$sock" >"$dir/status.txt" 2>&1
ok "unwritable: profwatch status shows the error" grep -q "capture errors: 1, the last: .*reports exists but is not a folder" "$dir/status.txt"
rm -f "$reports"
raise "writable again"
within 10 "writable again: a capture is written" "t['captures'] == 1 and t['last_capture']"
cap="$reports/$(basename "$(python3 -c 'import json,sys; print([t for t in json.load(open(sys.argv[1]))["targets"] if t["name"]=="fixture"][0]["last_capture"])' "$dir/status.json")")"
ok "writable again: the capture has its report" test -s "$cap/status.log"

# --- modes, under umask 000 ---------------------------------------------------
ok "modes: the reports folder is 0750" test "$(stat -c %a "$reports")" = 750
ok "modes: every capture folder is 0750" test -z "$(find "$cap" -type d ! -perm 750)"
ok "modes: every capture file is 0640" test -z "$(find "$cap" -type f ! -perm 640)"
ok "modes: the capture has files" test -n "$(find "$cap" -type f)"
ok "modes: the state folder is 0750" test "$(stat -c %a "$dir/state")" = 750
ok "modes: every state folder is 0750 and file 0640" test -z "$(find "$dir/state" \( -type d ! -perm 750 \) -o \( -type f ! -perm 640 \))"
ok "modes: the status socket is 0660" test "$(stat -c %a "$sock")" = 660
ok "modes: the jsonl output is 0640" test "$(stat -c %a "$dir/metrics.jsonl")" = 640

# --- a full filesystem ----------------------------------------------------------
if [ "$have_ns" = 1 ]; then
    dd if=/dev/zero of="$fill" bs=16k 2>"$dir/dd.err"
    ok "full: the tmpfs is full" grep -q "No space left on device" "$dir/dd.err"
    raise full
    within 10 "full: the failed capture is counted, with why" \
        "t['capture_errors'] == 2 and t['captures'] == 1 and 'No space left' in (t['last_capture_error'] or '')"
    ok "full: the daemon runs" kill -0 "$dpid"
    ok "full: the metric says 2" test "$(lines metric '"name":"profwatch.capture.errors","value":2,')" -ge 1
    ok "full: one more clear log line" test "$(errors_logged)" -eq 2
    ok "full: it says the device is full" grep -q "error capture: fixture: .*No space left on device" "$dir/daemon.log"
    ok "full: no half-written capture is left" test "$(ls "$reports" | grep -c '\.tmp$')" -eq 0
    ok "full: the earlier capture is kept" test -s "$cap/status.log"
    rm -f "$fill"
    raise "space again"
    within 10 "space again: a capture is written" "t['captures'] == 2"
else
    echo "skip: a full filesystem (no user namespace for a tmpfs here)"
fi

# --- a file-size limit (RLIMIT_FSIZE) --------------------------------------------
# A write past the limit raises SIGXFSZ, which kills a process by default:
# the daemon ignores it, so the write fails with EFBIG and only that capture
# (and the log and jsonl lines past the limit) is lost.
if command -v prlimit >/dev/null; then
    holds "True"
    errs=$(python3 -c 'import json,sys; print([t for t in json.load(open(sys.argv[1]))["targets"] if t["name"]=="fixture"][0]["capture_errors"])' "$dir/status.json")
    caps=$(python3 -c 'import json,sys; print([t for t in json.load(open(sys.argv[1]))["targets"] if t["name"]=="fixture"][0]["captures"])' "$dir/status.json")
    prlimit --pid "$dpid" --fsize=4096:
    raise "file-size limit"
    within 10 "file-size limit: the failed capture is counted, with why" \
        "t['capture_errors'] == $errs + 1 and 'File too large' in (t['last_capture_error'] or '')"
    ok "file-size limit: the daemon runs (SIGXFSZ is ignored)" kill -0 "$dpid"
    prlimit --pid "$dpid" --fsize=unlimited:
    raise "no limit again"
    within 10 "no limit again: a capture is written" "t['captures'] == $caps + 1"
else
    echo "skip: a file-size limit (prlimit is missing)"
fi

holds "True"
ok "status answers at the end" json "$dir/status.json" "len(d['targets']) == 1"
daemon_stop TERM
ok "SIGTERM: exit 0" test "$rc" -eq 0
if [ "$failed" -gt 0 ]; then
    echo "== daemon log"
    tail -40 "$dir/daemon.log"
fi
finish "daemon storage faults"
