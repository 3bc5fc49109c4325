#!/usr/bin/env python3
"""Compares what profwatchd wrote to its jsonl output with what the fake
intake received, item by item (metrics, service checks, events), as
multisets: every item must have arrived exactly once.

    compare.py JSONL RECORDS [--dropped N]

With --dropped N, N items may be missing (the daemon counted them as
dropped); none may be extra or duplicated. Prints the differences, exits 1
when there are any.
"""
import collections
import json
import sys


def key_local(o):
    t = o["type"]
    if t == "metric":
        return ("metric", o["name"], o["timestamp"], float(o["value"]), tuple(o["tags"]))
    if t == "service_check":
        return ("check", o["name"], o["timestamp"], o["status"], o["message"], tuple(o["tags"]))
    return ("event", o["title"], o["timestamp"], o["alert_type"], tuple(o["tags"]))


def key_intake(o):
    k = o["kind"]
    if k == "metric":
        return ("metric", o["name"], o["ts"], float(o["value"]), tuple(o["tags"]))
    if k == "check":
        return ("check", o["name"], o["ts"], o["status"], o["message"], tuple(o["tags"]))
    return ("event", o["title"], o["ts"], o["alert_type"], tuple(o["tags"]))


def load(path, key):
    c = collections.Counter()
    try:
        with open(path) as f:
            for line in f:
                if line.strip():
                    c[key(json.loads(line))] += 1
    except FileNotFoundError:
        pass
    return c


def main():
    a = sys.argv[1:]
    dropped = 0
    if "--dropped" in a:
        i = a.index("--dropped")
        dropped = int(a[i + 1])
        del a[i:i + 2]
    local, got = load(a[0], key_local), load(a[1], key_intake)
    missing = local - got
    extra = got - local
    n_local, n_got, n_missing = sum(local.values()), sum(got.values()), sum(missing.values())
    print("written %d, received %d, missing %d, extra or duplicated %d, counted dropped %d"
          % (n_local, n_got, n_missing, sum(extra.values()), dropped))
    ok = not extra and n_missing == dropped and n_local > 0
    for k, n in list(extra.items())[:5]:
        print("  extra x%d: %r" % (n, k))
    for k, n in list(missing.items())[:5] if not ok else []:
        print("  missing x%d: %r" % (n, k))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
