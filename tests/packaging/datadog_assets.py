#!/usr/bin/env python3
"""Checks the importable monitors and dashboard in packaging/datadog.

Every metric and service check they use must be in the catalogue
(metadata.csv, service_checks.json), and each document must have the shape
Datadog's API takes on import:
  monitors.json   a list of POST /api/v1/monitor bodies: name, type, query,
                  message, options; a query of the type's grammar; thresholds
                  that match the query; message variables ({{x.name}}) that
                  are among the query's groups.
  dashboard.json  a POST /api/v1/dashboard body: title, layout_type, widgets
                  each with a definition of a known type; requests whose
                  formulas name their queries; template variables that are
                  declared.

Usage: datadog_assets.py SOURCE_DIR
"""
import csv
import json
import os
import re
import sys

from checks import check, summary


METRIC = re.compile(r"\b(profwatch\.[a-z0-9_]+(?:\.[a-z0-9_]+)+)\b")
# A metric query: [space_agg:]metric{scope} [by {tags}] [.as_count() ...]
QUERY = re.compile(r"^(avg|sum|min|max):(profwatch\.[a-z0-9_.]+)\{([^}]*)\}(?: by \{([^}]*)\})?$")
SC_QUERY = re.compile(
    r'^"([a-z0-9_.]+)"\.over\(((?:"[^"]+",?)+)\)\.by\(((?:"[^"]+",?)*)\)\.last\((\d+)\)'
    r"\.count_by_status\(\)$")
ALERT_QUERY = re.compile(
    r"^(avg|sum|min|max|change|pct_change)\((last_\d+[mhdw])\):(.+?) (<|<=|>|>=) (-?[\d.]+)$")
WIDGETS = {"timeseries", "toplist", "query_table", "check_status", "note", "group",
           "query_value", "heatmap", "distribution", "event_stream", "alert_graph"}


def catalogue(src):
    with open(os.path.join(src, "packaging/datadog/metadata.csv"), newline="") as f:
        metrics = {row["metric_name"] for row in csv.DictReader(f)}
    with open(os.path.join(src, "packaging/datadog/service_checks.json")) as f:
        checks = {c["check"]: c for c in json.load(f)}
    return metrics, checks


def check_metric_query(q, where, metrics, tmpl=None):
    m = QUERY.match(q)
    if not check(m is not None, f"{where}: metric query {q!r} does not parse"):
        return
    name = m.group(2)
    check(name in metrics, f"{where}: {name} is not in metadata.csv")
    for part in filter(None, (p.strip() for p in m.group(3).split(","))):
        if part.startswith("$"):
            if tmpl is not None:
                check(part[1:] in tmpl, f"{where}: template variable {part} is not declared")
        else:
            check(part == "*" or ":" in part, f"{where}: scope item {part!r} is not tag:value")


def monitors(src, metrics, checks):
    path = os.path.join(src, "packaging/datadog/monitors.json")
    with open(path) as f:
        doc = json.load(f)
    check(isinstance(doc, list) and len(doc) >= 3, f"{path}: a list of at least 3 monitors")
    kinds = set()
    used_checks = set()
    for i, mon in enumerate(doc):
        where = f"{path}[{i}] {mon.get('name', '?')!r}"
        for key, typ in (("name", str), ("type", str), ("query", str), ("message", str),
                         ("options", dict)):
            check(isinstance(mon.get(key), typ), f"{where}: {key} must be a {typ.__name__}")
        check(set(mon) <= {"name", "type", "query", "message", "options", "tags", "priority",
                           "restricted_roles"}, f"{where}: unknown keys {sorted(mon)}")
        check(isinstance(mon.get("tags", []), list), f"{where}: tags must be a list")
        check(mon.get("priority", 1) in (1, 2, 3, 4, 5), f"{where}: priority must be 1 to 5")
        q, opts = mon.get("query", ""), mon.get("options", {})
        thresholds = opts.get("thresholds", {})
        check(isinstance(thresholds, dict) and "critical" in thresholds,
              f"{where}: options.thresholds.critical is required")
        groups = []
        if mon.get("type") == "service check":
            m = SC_QUERY.match(q)
            if check(m is not None, f"{where}: service check query {q!r} does not parse"):
                name = m.group(1)
                used_checks.add(name)
                groups = re.findall(r'"([^"]+)"', m.group(3))
                if check(name in checks, f"{where}: service check {name} is not in "
                         "service_checks.json"):
                    known = set(checks[name]["groups"])
                    check(set(groups) <= known,
                          f"{where}: groups {groups} are not all among {sorted(known)}")
                last = int(m.group(4))
                for k, v in thresholds.items():
                    check(isinstance(v, int) and 1 <= v <= last,
                          f"{where}: threshold {k}={v} must be 1..last({last})")
                kinds.add("service check")
        elif mon.get("type") in ("query alert", "metric alert"):
            m = ALERT_QUERY.match(q)
            if check(m is not None, f"{where}: alert query {q!r} does not parse"):
                check_metric_query(m.group(3), where, metrics)
                tm = QUERY.match(m.group(3))
                groups = [g.strip() for g in (tm.group(4) or "").split(",")] if tm else []
                check(float(m.group(5)) == float(thresholds.get("critical", "nan")),
                      f"{where}: options.thresholds.critical must equal the query's "
                      f"threshold {m.group(5)}")
                kinds.add("metric")
        else:
            check(False, f"{where}: type {mon.get('type')!r} is not one this test knows")
        for var in re.findall(r"\{\{\s*([a-z_]+)\.name\s*\}\}", mon.get("message", "") +
                              mon.get("name", "")):
            check(var in groups, f"{where}: message uses {{{{{var}.name}}}}, which is not a "
                  f"group of the query ({groups})")
        check("{{#is_alert}}" in mon.get("message", "") and
              "{{/is_alert}}" in mon.get("message", ""),
              f"{where}: the message has no {{{{#is_alert}}}} section")
        for name in METRIC.findall(mon.get("message", "")):
            check(name in metrics or name in checks,
                  f"{where}: the message names {name}, which the catalogue lacks")
    check(used_checks == set(checks), f"{path}: monitors cover the service checks "
          f"{sorted(checks)}, not only {sorted(used_checks)}")
    check("metric" in kinds, f"{path}: no monitor on a metric (scrape failures)")
    scrape = [m["query"] for m in doc if "target.up" in m.get("query", "") or
              "scrape.errors" in m.get("query", "")]
    check(len(scrape) > 0, f"{path}: no monitor on scrape failures")
    return len(doc)


def dashboard(src, metrics, checks):
    path = os.path.join(src, "packaging/datadog/dashboard.json")
    with open(path) as f:
        doc = json.load(f)
    for key, typ in (("title", str), ("layout_type", str), ("widgets", list)):
        check(isinstance(doc.get(key), typ), f"{path}: {key} must be a {typ.__name__}")
    check(doc.get("layout_type") in ("ordered", "free"), f"{path}: layout_type")
    tmpl = {t["name"] for t in doc.get("template_variables", [])}
    for t in doc.get("template_variables", []):
        check(set(t) >= {"name", "prefix"}, f"{path}: template variable {t} lacks name/prefix")
    used = set()
    n = 0

    def walk(widgets, where):
        nonlocal n
        for i, w in enumerate(widgets):
            here = f"{where}[{i}]"
            d = w.get("definition")
            if not check(isinstance(d, dict), f"{here}: a widget needs a definition"):
                continue
            t = d.get("type")
            check(t in WIDGETS, f"{here}: unknown widget type {t!r}")
            n += 1
            if t == "group":
                check(d.get("layout_type") == "ordered", f"{here}: group layout_type")
                walk(d.get("widgets", []), here + ".widgets")
                continue
            if t == "check_status":
                name = d.get("check")
                used.add(name)
                check(name in checks, f"{here}: check {name} is not in service_checks.json")
                check(d.get("grouping") in ("check", "cluster"), f"{here}: grouping")
                if name in checks:
                    check(set(d.get("group_by", [])) <= set(checks[name]["groups"]),
                          f"{here}: group_by {d.get('group_by')} not among the check's groups")
                for tag in d.get("tags", []):
                    if tag.startswith("$"):
                        check(tag[1:] in tmpl, f"{here}: template variable {tag} not declared")
                continue
            if t == "note":
                check(bool(d.get("content")), f"{here}: a note needs content")
                continue
            reqs = d.get("requests")
            if not check(isinstance(reqs, list) and reqs, f"{here}: {t} needs requests"):
                continue
            check(bool(d.get("title")), f"{here}: {t} needs a title")
            for j, r in enumerate(reqs):
                rw = f"{here}.requests[{j}]"
                qs, fs = r.get("queries", []), r.get("formulas", [])
                check(qs and fs, f"{rw}: queries and formulas are required")
                check(r.get("response_format") in ("timeseries", "scalar"),
                      f"{rw}: response_format")
                names = set()
                for q in qs:
                    check(q.get("data_source") == "metrics" and q.get("name"),
                          f"{rw}: each query needs data_source and name")
                    names.add(q.get("name"))
                    check_metric_query(q.get("query", ""), rw, metrics, tmpl)
                    for mname in METRIC.findall(q.get("query", "")):
                        used.add(mname)
                    if r.get("response_format") == "scalar":
                        check(q.get("aggregator") in ("last", "avg", "sum", "min", "max"),
                              f"{rw}: a scalar query needs an aggregator")
                for fm in fs:
                    refs = set(re.findall(r"[a-z_][a-z0-9_]*", fm.get("formula", "")))
                    check(refs and refs <= names,
                          f"{rw}: formula {fm.get('formula')!r} names unknown queries")

    walk(doc.get("widgets", []), path + ".widgets")
    # What the issue asks the dashboard to show.
    for want in ("profwatch.memory.total_pss_bytes", "profwatch.memory.smaps.pss.by_pathname",
                 "profwatch.heap.growth_bytes_per_second", "profwatch.verdict",
                 "profwatch.memory.trend"):
        check(want in used, f"{path}: the dashboard does not show {want}")
    return n


def main():
    src = sys.argv[1]
    metrics, checks = catalogue(src)
    check(len(metrics) > 20 and len(checks) >= 2, "the catalogue did not load")
    nm = monitors(src, metrics, checks)
    nw = dashboard(src, metrics, checks)
    return summary(f"datadog assets: {nm} monitors, {nw} dashboard widgets")


if __name__ == "__main__":
    sys.exit(main())
