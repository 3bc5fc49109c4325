#!/bin/sh
# Soak: profwatchd against three Go fixture services at fast intervals until
# every target has run CYCLES verdict cycles (heap scrapes), while the
# targets flap: one is killed and restarted on the same port every few
# seconds, and one switches between normal, leak, cpu and contention (so
# verdicts are raised, captured and cleared). A fourth target never answers.
# The daemon also reads the fixtures' memory from /proc (processes come and
# go as they flap).
#
# Every SAMPLE seconds it prints the daemon's RSS, open fds, live libuv
# handles, the allocator's bytes in use and held, and the interned function
# names (all targets), then whether each stayed flat from the end of the
# warm-up (the first fifth of the run) to the end (names: within their cap). It is not a timed unit
# test; the exit status is 0 when everything stayed flat.
#
# Usage: tests/soak/soak.sh [CYCLES]          (default 3000)
# Environment: PW_BIN (profwatchd and profwatch, default build/bin),
#   PW_FIXTURE (default build/tests/bin/pwfixture), SAMPLE (seconds, default 15),
#   FLAP (seconds between kills, default 5).
set -eu
cd "$(dirname "$0")/../.."
cycles=${1:-3000}
bin=${PW_BIN:-build/bin}
fixture=${PW_FIXTURE:-build/tests/bin/pwfixture}
for f in "$bin/profwatchd" "$bin/profwatch" "$fixture"; do
    [ -x "$f" ] || { echo "soak: $f is missing (build first: cmake --build build)" >&2; exit 1; }
done
command -v python3 >/dev/null || { echo "soak: python3 is missing" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# Not exec: the shell must outlive python to run the trap that removes $dir.
PW_SOAK_DIR=$dir PW_SOAK_BIN=$bin PW_SOAK_FIXTURE=$fixture PW_SOAK_CYCLES=$cycles \
    PW_SOAK_SAMPLE=${SAMPLE:-15} PW_SOAK_FLAP=${FLAP:-5} python3 - <<'PY'
import json, os, signal, socket, subprocess, sys, time, urllib.request

d = os.environ["PW_SOAK_DIR"]
bin_ = os.environ["PW_SOAK_BIN"]
fixture = os.environ["PW_SOAK_FIXTURE"]
cycles = int(os.environ["PW_SOAK_CYCLES"])
sample_s = float(os.environ["PW_SOAK_SAMPLE"])
flap_s = float(os.environ["PW_SOAK_FLAP"])
procs = []


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def start_fixture(name, listen="127.0.0.1:0"):
    pf = os.path.join(d, name + ".port")
    if os.path.exists(pf):
        os.unlink(pf)
    p = subprocess.Popen([fixture, "serve", "-port-file", pf, "-listen", listen],
                         stderr=open(os.path.join(d, name + ".log"), "a"))
    procs.append(p)
    for _ in range(100):
        if os.path.exists(pf) and os.path.getsize(pf) > 0:
            return p, open(pf).read().strip()
        time.sleep(0.1)
    sys.exit("soak: the fixture %s did not start" % name)


def set_mode(addr, mode):
    try:
        urllib.request.urlopen(urllib.request.Request(
            "http://%s/fixture/mode?set=%s" % (addr, mode), method="POST"), timeout=5).read()
    except OSError:
        pass


def status():
    out = subprocess.run([os.path.join(bin_, "profwatch"), "status", "--socket", sock, "--json"],
                         capture_output=True, timeout=30)
    return json.loads(out.stdout) if out.returncode == 0 else None


def proc_figures(pid):
    rss = 0
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
    return rss, len(os.listdir("/proc/%d/fd" % pid))


def cleanup(*_):
    for p in procs:
        try:
            p.kill()
        except OSError:
            pass
    sys.exit(1)


signal.signal(signal.SIGINT, cleanup)
signal.signal(signal.SIGTERM, cleanup)

fx = {}
for name in ("steady", "flapping", "switching"):
    fx[name] = list(start_fixture(name))
sock = os.path.join(d, "status.sock")
cfg = os.path.join(d, "soak.yaml")
with open(cfg, "w") as f:
    f.write("""hostname: soak-host
datadog_config: ""
reports_dir: %(d)s/reports
state_dir: %(d)s/state
status_socket: %(sock)s
log_level: info
outputs:
  - type: jsonl
    path: %(d)s/metrics.jsonl
intervals: {expvar: 200ms, heap: 200ms, contention: 200ms, cpu_every: 2s, cpu_duration: 1s}
window: 6s
http: {connect_timeout: 1s, timeout: 2s}
verdict: {raise_after: 2, clear_after: 2}
captures: {keep: 5}
memory: {interval: 500ms, smaps_every: 4, agent: false, processes: [{name: pwfixture}]}
targets:
  - {name: steady, url: "http://%(steady)s"}
  - {name: flapping, url: "http://%(flapping)s"}
  - {name: switching, url: "http://%(switching)s"}
  - {name: absent, url: "http://127.0.0.1:%(absent)d"}
""" % {"d": d, "sock": sock, "steady": fx["steady"][1], "flapping": fx["flapping"][1],
       "switching": fx["switching"][1], "absent": free_port()})
log = open(os.path.join(d, "daemon.log"), "w")
daemon = subprocess.Popen([os.path.join(bin_, "profwatchd"), "--config", cfg, "--foreground"],
                          stderr=log)
procs.append(daemon)
for _ in range(100):
    if os.path.exists(sock) and status():
        break
    time.sleep(0.1)
else:
    cleanup()

print("soak: %d cycles per target; heap, contention and expvar every 200 ms, cpu every 2 s; "
      "the flapping target is killed every %g s; the switching one changes mode every 20 s"
      % (cycles, flap_s))
print("%7s %7s %9s %5s %7s %12s %12s %8s %6s %6s" % (
    "seconds", "cycles", "rss_kib", "fds", "handles", "malloc_used", "malloc_held",
    "names", "kills", "caps"))
samples = []
t0 = time.time()
next_flap = t0 + flap_s
next_mode = t0 + 20
next_sample = t0
modes = ["leak", "normal", "cpu", "normal", "contention", "normal"]
kills = 0
mode_i = 0
while True:
    now = time.time()
    if now >= next_flap:
        p, addr = fx["flapping"]
        p.kill()
        p.wait()
        kills += 1
        time.sleep(0.5)
        fx["flapping"] = list(start_fixture("flapping", addr))
        next_flap = time.time() + flap_s
    if now >= next_mode:
        set_mode(fx["switching"][1], modes[mode_i % len(modes)])
        mode_i += 1
        next_mode = now + 20
    if now >= next_sample:
        st = status()
        if daemon.poll() is not None:
            print("soak: FAIL: profwatchd exited with %d" % daemon.returncode)
            cleanup()
        if st is not None:
            rss, fds = proc_figures(daemon.pid)
            tg = st["targets"]
            done = min(t["cycles"] for t in tg if t["name"] != "absent")
            s = {"t": now - t0, "cycles": done, "rss": rss, "fds": fds,
                 "handles": st["uv_handles"], "used": st["malloc_in_use"],
                 "held": st["malloc_held"], "names": sum(t["interned_names"] for t in tg),
                 "caps": sum(t["captures"] for t in tg)}
            samples.append(s)
            print("%7.0f %7d %9d %5d %7d %12d %12d %8d %6d %6d" % (
                s["t"], s["cycles"], s["rss"], s["fds"], s["handles"], s["used"], s["held"],
                s["names"], kills, s["caps"]), flush=True)
            if done >= cycles:
                break
        next_sample = now + sample_s
    time.sleep(0.1)

daemon.send_signal(signal.SIGTERM)
rc = daemon.wait(timeout=30)
for p in procs:
    if p.poll() is None:
        p.kill()
        p.wait()

# Flat: the figures over the last fifth of the run against the same span
# right after the warm-up (the first fifth), by their maxima. Handles and
# fds move with the requests in flight at the moment of a sample, so the
# comparison allows what four targets with five endpoints can hold open.
n = len(samples)
k = max(1, n // 5)
early, late = samples[k:2 * k] or samples[:1], samples[-k:]
limits = {
    "rss": ("RSS (KiB)", lambda a: a * 0.10 + 2048),
    "fds": ("open fds", lambda a: 20),
    "handles": ("libuv handles", lambda a: 20),
    "used": ("malloc in use", lambda a: a * 0.10 + 2 * 1024 * 1024),
    "held": ("malloc held", lambda a: a * 0.10 + 4 * 1024 * 1024),
}
flat = True
print("soak: %d samples over %.0f s, %d kills of the flapping target, profwatchd exit %d"
      % (n, samples[-1]["t"], kills, rc))
for key, (label, slack) in limits.items():
    a = max(s[key] for s in early)
    b = max(s[key] for s in late)
    ok = b <= a + slack(a)
    flat = flat and ok
    print("  %-15s after warm-up %12d, at the end %12d: %s" % (label, a, b, "flat" if ok else "GREW"))
# Function names grow as the fixtures run new code paths (each mode brings
# its own); the pool is capped per target, and the daemon restarts a
# target's window when it is full, so the figure is bounded, not flat.
a = max(s["names"] for s in early)
b = max(s["names"] for s in late)
cap = 20000 * 4
ok = b <= cap
flat = flat and ok
print("  %-15s after warm-up %12d, at the end %12d: %s" % (
    "interned names", a, b, "bounded (cap %d)" % cap if ok else "OVER THE CAP"))
print("soak: %s" % ("everything stayed flat" if flat and rc == 0 else "FAILED"))
sys.exit(0 if flat and rc == 0 else 1)
PY
