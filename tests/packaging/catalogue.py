#!/usr/bin/env python3
"""Checks the Datadog catalogue against what profwatchd emits.

The catalogue is packaging/datadog/metadata.csv (metrics) and
packaging/datadog/service_checks.json. Each name the code can emit must be in
it: the names in include/profwatch/metric_names.h, the memstats names in
daemon/core/memstats.c, and any "profwatch.*" literal in the sources. Each
catalogue metric must be shown in the README's table, and each row must be
well formed. Given jsonl files (the daemon's output in a test), every metric
and service check in them must be in the catalogue too.

Usage: catalogue.py SOURCE_DIR [metrics.jsonl ...]
"""
import csv
import glob
import json
import os
import re
import sys

UNITS = {"", "byte", "second", "nanosecond", "hour", "fraction", "percent", "error", "event", "request",
         "item", "object", "operation", "garbage collection"}
HEADER = ["metric_name", "metric_type", "interval", "unit_name", "per_unit_name", "description",
          "orientation", "integration", "short_name", "curated_metric"]

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def load_catalogue(src):
    path = os.path.join(src, "packaging/datadog/metadata.csv")
    metrics = {}
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if rows[0] != HEADER:
        fail(f"{path}:1: header is {rows[0]}, expected {HEADER}")
    for n, row in enumerate(rows[1:], start=2):
        if len(row) != len(HEADER):
            fail(f"{path}:{n}: {len(row)} columns, expected {len(HEADER)}")
            continue
        r = dict(zip(HEADER, row))
        name = r["metric_name"]
        if name in metrics:
            fail(f"{path}:{n}: {name} listed twice")
        if not re.fullmatch(r"profwatch\.[a-z0-9_.]+", name):
            fail(f"{path}:{n}: bad metric name {name!r}")
        if r["metric_type"] not in ("gauge", "count", "rate"):
            fail(f"{path}:{n}: bad metric_type {r['metric_type']!r}")
        for col in ("unit_name", "per_unit_name"):
            if r[col] not in UNITS:
                fail(f"{path}:{n}: unknown {col} {r[col]!r}")
        if r["orientation"] not in ("-1", "0", "1"):
            fail(f"{path}:{n}: orientation must be -1, 0 or 1")
        if r["integration"] != "profwatch" or not r["description"]:
            fail(f"{path}:{n}: integration must be profwatch and the description set")
        metrics[name] = r
    checks_path = os.path.join(src, "packaging/datadog/service_checks.json")
    with open(checks_path) as f:
        checks = {c["check"]: c for c in json.load(f)}
    for name, c in checks.items():
        for key in ("agent_version", "integration", "statuses", "groups", "name", "description"):
            if key not in c:
                fail(f"{checks_path}: {name} lacks {key}")
    return metrics, checks


def emitted_names(src):
    header = open(os.path.join(src, "include/profwatch/metric_names.h")).read()
    defs = dict(re.findall(r'#define (PW_(?:M|SC)_\w+) "([^"]+)"', header))
    prefix = defs.pop("PW_M_MEMSTATS_PREFIX")
    metrics = {v for k, v in defs.items() if k.startswith("PW_M_")}
    checks = {v for k, v in defs.items() if k.startswith("PW_SC_")}
    memstats = open(os.path.join(src, "daemon/core/memstats.c")).read()
    fields = re.findall(r'\{"[A-Za-z]+", "([a-z_]+)", [01]\}', memstats)
    if len(fields) < 20:
        fail(f"daemon/core/memstats.c: found {len(fields)} memstats fields, expected the table")
    metrics |= {prefix + f for f in fields}
    # A name written out in the code instead of through the header.
    for path in glob.glob(os.path.join(src, "daemon/**/*.c"), recursive=True):
        for lit in re.findall(r'"(profwatch\.[a-z_]+\.[a-z_.]+)"', open(path).read()):
            metrics.add(lit)
    return metrics, checks


def readme_names(src):
    text = open(os.path.join(src, "README.md")).read()
    names, prefixes = set(), []
    for tok in re.findall(r"`(profwatch\.[a-z0-9_.{},*]+)`", text):
        m = re.fullmatch(r"(.*)\{([^}]*)\}(.*)", tok)
        if m:
            names |= {m.group(1) + alt + m.group(3) for alt in m.group(2).split(",")}
        elif tok.endswith(".*"):
            prefixes.append(tok[:-1])
        else:
            names.add(tok)
    return names, prefixes


def main():
    src = sys.argv[1]
    cat_metrics, cat_checks = load_catalogue(src)
    code_metrics, code_checks = emitted_names(src)
    for name in sorted(code_metrics - set(cat_metrics)):
        fail(f"the code emits metric {name}, which packaging/datadog/metadata.csv lacks")
    for name in sorted(code_checks - set(cat_checks)):
        fail(f"the code sends service check {name}, which service_checks.json lacks")
    for name in sorted(set(cat_metrics) - code_metrics):
        fail(f"metadata.csv lists {name}, which the code never emits")
    names, prefixes = readme_names(src)
    for name in sorted(cat_metrics):
        if name not in names and not any(name.startswith(p) for p in prefixes):
            fail(f"README.md does not show catalogue metric {name}")
    seen = 0
    for path in sys.argv[2:]:
        with open(path) as f:
            for n, line in enumerate(f, start=1):
                item = json.loads(line)
                kind, name = item.get("type"), item.get("name")
                seen += 1
                if kind == "metric" and name not in cat_metrics:
                    fail(f"{path}:{n}: emitted metric {name} is not in the catalogue")
                elif kind == "service_check" and name not in cat_checks:
                    fail(f"{path}:{n}: emitted service check {name} is not in the catalogue")
    if len(sys.argv) > 2 and seen == 0:
        fail("the jsonl files given hold no line")
    print(f"catalogue: {len(cat_metrics)} metrics, {len(cat_checks)} service checks; "
          f"code: {len(code_metrics)} metrics, {len(code_checks)} checks; {seen} emitted lines checked")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
