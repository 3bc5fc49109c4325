#!/usr/bin/env python3
"""A fake Datadog intake for the tests, on 127.0.0.1 (python3 stdlib only).

It takes POST /api/v2/series, /api/v1/check_run and /api/v1/events, checks
the API key header, decompresses the body (gzip or deflate), validates its
shape against what the intake documents, and appends every accepted point,
check and event to the records file (one JSON object a line). A payload that
breaks a rule is answered 400 and written to the errors file, so a test can
require that there are none.

Control, for the tests: POST /_control with a JSON body {"mode": M} where M
is "ok", "500", "429", "503", "400", "403", "413", "hang" (no answer for a
while, then the connection closes) or "close" (the connection closes without
an answer); {"split_over": N} answers 413 to a series or check-run payload
of more than N items. GET /_stats gives the counts of requests and answers.

    fake_intake.py --port-file F --records F --errors F --api-key K
"""
import argparse
import json
import os
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_Z = 512000
MAX_RAW = 5242880

lock = threading.Lock()
state = {"mode": "ok", "split_over": 0}
stats = {"requests": 0, "accepted": 0, "items": 0, "answers": {}}
args = None


class Invalid(Exception):
    pass


def need(cond, what):
    if not cond:
        raise Invalid(what)


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v):
    return (isinstance(v, (int, float))) and not isinstance(v, bool)


def tags_ok(t, where):
    need(isinstance(t, list), where + ": tags is not a list")
    for x in t:
        need(isinstance(x, str) and x, where + ": a tag is not a non-empty string")


def check_series(doc):
    need(isinstance(doc, dict) and set(doc) == {"series"}, "series: body is not {\"series\": [...]}")
    s = doc["series"]
    need(isinstance(s, list) and s, "series: empty or not a list")
    out = []
    for i, m in enumerate(s):
        w = "series[%d]" % i
        need(isinstance(m, dict), w + ": not an object")
        need(isinstance(m.get("metric"), str) and m["metric"], w + ": metric")
        need(m.get("type") == 3, w + ": type is not 3 (gauge)")
        pts = m.get("points")
        need(isinstance(pts, list) and pts, w + ": points")
        res = m.get("resources")
        need(isinstance(res, list) and len(res) == 1, w + ": resources")
        need(res[0].get("type") == "host" and isinstance(res[0].get("name"), str)
             and res[0]["name"], w + ": the host resource")
        tags_ok(m.get("tags"), w)
        for p in pts:
            need(isinstance(p, dict) and set(p) == {"timestamp", "value"}, w + ": a point")
            need(is_int(p["timestamp"]) and p["timestamp"] > 1000000000, w + ": timestamp")
            need(is_num(p["value"]), w + ": value")
            out.append({"kind": "metric", "name": m["metric"], "ts": p["timestamp"],
                        "value": p["value"], "tags": m["tags"], "host": res[0]["name"]})
    return out


def check_checks(doc):
    need(isinstance(doc, list) and doc, "check_run: body is not a non-empty list")
    out = []
    for i, c in enumerate(doc):
        w = "check_run[%d]" % i
        need(isinstance(c, dict), w + ": not an object")
        need(isinstance(c.get("check"), str) and c["check"], w + ": check")
        need(isinstance(c.get("host_name"), str) and c["host_name"], w + ": host_name")
        need(c.get("status") in (0, 1, 2, 3), w + ": status")
        need(is_int(c.get("timestamp")), w + ": timestamp")
        need(isinstance(c.get("message", ""), str), w + ": message")
        tags_ok(c.get("tags"), w)
        out.append({"kind": "check", "name": c["check"], "status": c["status"],
                    "ts": c["timestamp"], "message": c.get("message", ""), "tags": c["tags"],
                    "host": c["host_name"]})
    return out


def check_event(doc):
    need(isinstance(doc, dict), "event: not an object")
    need(isinstance(doc.get("title"), str) and doc["title"], "event: title")
    need(isinstance(doc.get("text"), str) and len(doc["text"]) <= 4000, "event: text")
    need(is_int(doc.get("date_happened")), "event: date_happened")
    need(doc.get("alert_type") in ("error", "warning", "info", "success"), "event: alert_type")
    need(doc.get("priority") in ("normal", "low"), "event: priority")
    need(isinstance(doc.get("host"), str) and doc["host"], "event: host")
    need(isinstance(doc.get("aggregation_key", ""), str), "event: aggregation_key")
    tags_ok(doc.get("tags"), "event")
    return [{"kind": "event", "title": doc["title"], "ts": doc["date_happened"],
             "alert_type": doc["alert_type"], "tags": doc["tags"], "host": doc["host"]}]


ROUTES = {"/api/v2/series": check_series, "/api/v1/check_run": check_checks,
          "/api/v1/events": check_event}


def append(path, obj):
    with open(path, "a") as f:
        f.write(json.dumps(obj, sort_keys=True) + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):  # quiet: the tests read the files
        pass

    def answer(self, code, body=b""):
        if os.environ.get("PW_INTAKE_DEBUG"):
            sys.stderr.write("%.3f %s %s -> %d\n" % (time.time(), self.command, self.path, code))
        with lock:
            stats["answers"][str(code)] = stats["answers"].get(str(code), 0) + 1
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_Z * 4:
            self.rfile.read(n)
            return None
        return self.rfile.read(n)

    def do_GET(self):
        if self.path == "/_stats":
            with lock:
                body = json.dumps(dict(stats, **state)).encode()
            return self.answer(200, body)
        self.answer(404)

    def do_POST(self):
        body = self.read_body()
        if self.path == "/_control":
            with lock:
                state.update(json.loads(body or b"{}"))
            return self.answer(200, b"{}")
        with lock:
            stats["requests"] += 1
            mode = state["mode"]
            split_over = state["split_over"]
        if mode == "close":
            self.close_connection = True
            return
        if mode == "hang":
            time.sleep(20)
            self.close_connection = True
            return
        if mode in ("500", "429", "503"):
            return self.answer(int(mode), b'{"errors":["try later"]}')
        if mode == "400":
            return self.answer(400, b'{"errors":["Payload is not in the expected format"]}')
        if self.headers.get("DD-API-KEY") != args.api_key or mode == "403":
            return self.answer(403, b'{"errors":["Forbidden"]}')
        if mode == "413":
            return self.answer(413, b'{"errors":["Request too large"]}')
        check = ROUTES.get(self.path)
        try:
            need(check is not None, "unknown path " + self.path)
            need(body is not None and len(body) <= MAX_Z, "compressed body over %d bytes" % MAX_Z)
            need(self.headers.get("Content-Type") == "application/json", "Content-Type")
            enc = self.headers.get("Content-Encoding")
            need(enc in ("gzip", "deflate"), "Content-Encoding is %r" % enc)
            try:
                d = zlib.decompressobj(wbits=31 if enc == "gzip" else 15)
                raw = d.decompress(body, MAX_RAW + 1)
                need(d.eof and not d.unconsumed_tail, "the body is not one whole %s stream" % enc)
            except zlib.error as e:
                raise Invalid("cannot decompress: %s" % e)
            need(len(raw) <= MAX_RAW, "uncompressed body over %d bytes" % MAX_RAW)
            try:
                doc = json.loads(raw)
            except ValueError as e:
                raise Invalid("not JSON: %s" % e)
            items = check(doc)
        except Invalid as e:
            append(args.errors, {"path": self.path, "error": str(e)})
            return self.answer(400, json.dumps({"errors": [str(e)]}).encode())
        if split_over and self.path != "/api/v1/events" and len(items) > split_over:
            return self.answer(413, b'{"errors":["Request too large"]}')
        with lock:
            stats["accepted"] += 1
            stats["items"] += len(items)
            with open(args.records, "a") as f:
                for it in items:
                    it["request"] = stats["accepted"]
                    it["split_over"] = split_over
                    f.write(json.dumps(it, sort_keys=True) + "\n")
        self.answer(202, b'{"errors":[]}')


def main():
    global args
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--records", required=True)
    p.add_argument("--errors", required=True)
    p.add_argument("--api-key", required=True)
    p.add_argument("--mode", default="ok")
    args = p.parse_args()
    state["mode"] = args.mode
    # The daemon's last attempt at stop opens many connections at once.
    ThreadingHTTPServer.request_queue_size = 128
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, args.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
