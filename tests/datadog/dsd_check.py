#!/usr/bin/env python3
"""Checks the datagrams dsd_listen.py recorded against the daemon's jsonl
output: each datagram within the size limit and made of whole lines; every
line well formed (metrics, service checks, events with their byte lengths
right); and the metrics and service checks the same, as multisets, as the
jsonl output's.

    dsd_check.py DATAGRAMS JSONL MAX_DATAGRAM HOST
"""
import collections
import json
import re
import sys

dgrams = [bytes.fromhex(l.strip()) for l in open(sys.argv[1]) if l.strip()]
local = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
maxd, host = int(sys.argv[3]), sys.argv[4]
bad = []
got = collections.Counter()
n_lines = 0
metric_re = re.compile(rb"^([a-z0-9_.]+):(-?[0-9.e+-]+)\|g(?:\|#([^|]*))?$")
sc_re = re.compile(rb"^_sc\|([a-z0-9_.]+)\|([0-3])\|d:([0-9]+)\|h:([^|]+)(?:\|#([^|]*))?(?:\|m:(.*))?$")
for d in dgrams:
    if len(d) > maxd or not d or d.endswith(b"\n"):
        bad.append("datagram of %d bytes" % len(d))
    for line in d.split(b"\n"):
        n_lines += 1
        m = metric_re.match(line)
        if m:
            tags = tuple(t.decode() for t in m.group(3).split(b",")) if m.group(3) else ()
            got[("metric", m.group(1).decode(), float(m.group(2)), tags)] += 1
            continue
        m = sc_re.match(line)
        if m:
            if m.group(4).decode() != host:
                bad.append("host in %r" % line[:80])
            tags = tuple(t.decode() for t in m.group(5).split(b",")) if m.group(5) else ()
            msg = (m.group(6) or b"").decode().replace("\\n", "\n")
            got[("check", m.group(1).decode(), int(m.group(2)), int(m.group(3)), tags, msg)] += 1
            continue
        m = re.match(rb"^_e\{([0-9]+),([0-9]+)\}:", line)
        if m:
            t, x = int(m.group(1)), int(m.group(2))
            rest = line[m.end():]
            ok = len(rest) > t + 1 + x and rest[t:t + 1] == b"|" and rest[t + 1 + x:].startswith(b"|d:")
            try:
                rest[:t + 1 + x].decode("utf-8")
            except UnicodeDecodeError:
                ok = False
            if not ok:
                bad.append("event lengths in %r" % line[:80])
            got[("event",)] += 1
            continue
        bad.append("unparsed line %r" % line[:80])
want = collections.Counter()
for o in local:
    if o["type"] == "metric":
        want[("metric", o["name"], float(o["value"]), tuple(o["tags"]))] += 1
    elif o["type"] == "service_check":
        want[("check", o["name"], o["status"], o["timestamp"], tuple(o["tags"]), o["message"])] += 1
    else:
        want[("event",)] += 1
print("%d datagrams, %d lines; jsonl items %d" % (len(dgrams), n_lines, sum(want.values())))
for b in bad[:5]:
    print("  bad: " + b)
for k, n in list((want - got).items())[:5]:
    print("  missing x%d: %r" % (n, k))
for k, n in list((got - want).items())[:5]:
    print("  extra x%d: %r" % (n, k))
sys.exit(0 if not bad and want == got and len(dgrams) > 1 else 1)
