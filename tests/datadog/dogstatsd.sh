#!/bin/sh
# The dogstatsd output, read back by listeners on a unix datagram socket and
# on UDP 127.0.0.1: datagrams within max_datagram, made of whole lines, every
# line well formed, and the same metrics and service checks as the daemon's
# jsonl output. The unix socket is used when it exists, UDP otherwise; with
# no listener the datagrams are dropped and counted, and the daemon goes on.
set -u
command -v python3 >/dev/null || { echo "python3 is missing (run packaging/setup.sh)"; exit 1; }
. "$(dirname "$0")/../lib/scratch.sh"
here=$(dirname "$0")
. "$here/../lib/check.sh"
. "$here/../lib/fixture.sh"
. "$here/../daemon/lib.sh"

# listen NAME ARGS...: a listener writing $dir/NAME.dgrams; waits for it.
listen() {
    name=$1
    shift
    python3 "$here/dsd_listen.py" --out "$dir/$name.dgrams" --ready "$dir/$name.ready" "$@" \
        2>"$dir/$name.log" &
    pids="$pids $!"
    n=0
    until [ -s "$dir/$name.ready" ]; do
        n=$((n + 1))
        [ $n -gt 100 ] && { echo "FAIL: the $name listener did not start"; cat "$dir/$name.log"; exit 1; }
        sleep 0.1
    done
}

# dsd_config FILE NAME SETTINGS: a jsonl output and a dogstatsd one.
dsd_config() {
    cat >"$1" <<YAML
hostname: test-host
datadog_config: ""
reports_dir: $dir/$2/reports
state_dir: $dir/$2/state
status_socket: $sock
outputs:
  - type: jsonl
    path: $dir/$2/metrics.jsonl
  - type: dogstatsd
    max_datagram: 1024
$3
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

DSD='[o for o in d["outputs"] if o["type"] == "dogstatsd"][0]'
start fixture

# --- the unix socket ------------------------------------------------------------
sock="$dir/u.sock"
listen uds --unix "$dir/dsd.socket"
listen udp0 --udp
dsd_config "$dir/u.yaml" u "    socket: $dir/dsd.socket
    port: $(cat "$dir/udp0.ready")"
daemon_start "$dir/u.yaml"
within 10 "unix: datagrams sent" "$DSD[\"sent\"] > 100"
daemon_stop TERM
ok "unix: clean stop" test "$rc" -eq 0
ok "unix: whole lines, within 1024 bytes, the same items as jsonl" python3 "$here/dsd_check.py" "$dir/uds.dgrams" "$dir/u/metrics.jsonl" 1024 test-host
python3 "$here/dsd_check.py" "$dir/uds.dgrams" "$dir/u/metrics.jsonl" 1024 test-host | sed 's/^/  /'
ok "unix: nothing went to UDP while the socket exists" test ! -s "$dir/udp0.dgrams"
ok "unix: the start says where it sends" grep -q "dogstatsd: sending to $dir/dsd.socket" "$dir/daemon.log"

# --- UDP, the socket missing -------------------------------------------------------
sock="$dir/p.sock"
listen udp --udp
dsd_config "$dir/p.yaml" p "    socket: $dir/missing.socket
    port: $(cat "$dir/udp.ready")"
daemon_start "$dir/p.yaml"
within 10 "udp: datagrams sent" "$DSD[\"sent\"] > 100"
daemon_stop TERM
ok "udp: whole lines, within 1024 bytes, the same items as jsonl" python3 "$here/dsd_check.py" "$dir/udp.dgrams" "$dir/p/metrics.jsonl" 1024 test-host
python3 "$here/dsd_check.py" "$dir/udp.dgrams" "$dir/p/metrics.jsonl" 1024 test-host | sed 's/^/  /'

# --- a listener that never reads: the socket fills, datagrams are dropped and
# counted, and the daemon goes on ---------------------------------------------------
sock="$dir/n.sock"
listen full --unix "$dir/full.socket" --no-read
dsd_config "$dir/n.yaml" n "    socket: $dir/full.socket"
daemon_start "$dir/n.yaml"
within 10 "full socket: datagrams dropped and counted" "$DSD[\"dropped\"] > 0 and $DSD[\"errors\"] > 0"
ok "full socket: the daemon still scrapes" holds 't["scrapes"]["expvar"]["ok"] > 2'
daemon_stop TERM
ok "full socket: clean stop" test "$rc" -eq 0
ok "full socket: the drop is logged" grep -q "dogstatsd: .*full.socket: a datagram of [0-9]* lines was dropped: Resource temporarily unavailable" "$dir/daemon.log"
finish datadog_dogstatsd
