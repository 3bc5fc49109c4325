#!/usr/bin/env python3
"""Loads a flame graph page in headless Chromium and uses it as a person would.

Drives chromedriver through the WebDriver HTTP protocol with the standard
library only. For each section given with --section ID:REGEX it checks that
the page's frames are in the DOM (one per frame of the section's data, and
one whose function matches REGEX), that hovering a frame shows its name,
that clicking a frame zooms into it (the frame takes the full width, frames
outside it hide) and that reset zooms out, and that the search box
highlights exactly the frames whose function matches. With --expect CSS it
checks that the page has an element matching the selector (a report's
findings table, its sparklines). It fails if the browser logged any script
error, and saves a screenshot (PNG).

Usage: browser.py PAGE.html SCREENSHOT.png --section heap:TrackContext ...
       [--expect '#findings'] ...
Exit status: 0 when every check passed; 1 otherwise, including when
Chromium or chromedriver is missing or cannot start.
"""

import argparse
import base64
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

# The machine may have no network: without these, Chromium tries to reach
# update, sync and field-trial servers and logs the failures.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1400",
]
DEADLINE_S = 150  # the whole run; each HTTP call has its own shorter limit
ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf"  # W3C WebDriver element id key


class Failure(Exception):
    pass


class WebDriver:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.session = None

    def call(self, method, path, body=None, timeout=30):
        data = None if body is None else json.dumps(body).encode()
        url = self.base + (f"/session/{self.session}" if self.session else "") + path
        req = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return json.loads(r.read() or b"{}").get("value")
        except urllib.error.HTTPError as e:
            detail = e.read().decode(errors="replace")
            try:
                v = json.loads(detail)["value"]
                detail = f'{v.get("error")}: {v.get("message", "").splitlines()[0]}'
            except (ValueError, KeyError, AttributeError, IndexError):
                pass
            raise Failure(f"WebDriver {method} {path}: HTTP {e.code}: {detail}") from None

    def js(self, script, *args):
        return self.call("POST", "/execute/sync", {"script": script, "args": list(args)})

    def find(self, css):
        return self.call("POST", "/element", {"using": "css selector", "value": css})[ELEMENT_KEY]

    def element_ref(self, eid):
        return {ELEMENT_KEY: eid}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_driver(work):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        raise Failure("chromium and chromedriver are not installed "
                      "(Debian packages chromium and chromium-driver; run packaging/setup.sh)")
    port = free_port()
    log = open(work / "chromedriver.log", "wb")
    # Its own process group, so that ending it ends the browsers it started.
    proc = subprocess.Popen([driver, f"--port={port}", "--allowed-ips=127.0.0.1"],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    wd = WebDriver(port)
    for _ in range(100):
        if proc.poll() is not None:
            raise Failure(f"chromedriver exited with status {proc.returncode} "
                          f"(log: {work / 'chromedriver.log'})")
        try:
            if wd.call("GET", "/status", timeout=2).get("ready"):
                break
        except (urllib.error.URLError, ConnectionError, Failure, OSError):
            pass
        time.sleep(0.1)
    else:
        raise Failure("chromedriver did not answer within 10 s")
    caps = {
        "capabilities": {
            "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": chromium,
                    "args": CHROMIUM_ARGS + [f"--user-data-dir={work / 'profile'}"],
                },
                "goog:loggingPrefs": {"browser": "ALL"},
            }
        }
    }
    try:
        v = wd.call("POST", "/session", caps, timeout=60)
    except Failure as e:
        raise Failure(f"Chromium could not start: {e}") from None
    wd.session = v["sessionId"]
    return proc, wd


def browser_log(wd):
    """The browser's console log. chromedriver serves it at a Selenium
    extension endpoint in W3C mode; older ones at the legacy path."""
    for path in ("/se/log", "/log"):
        try:
            return wd.call("POST", path, {"type": "browser"})
        except Failure:
            continue
    raise Failure("chromedriver serves no browser log: cannot tell whether scripts failed")


def check_no_script_errors(wd, when):
    bad = [e for e in browser_log(wd) if e.get("level") == "SEVERE"]
    if bad:
        raise Failure(f"script errors {when}: " + "; ".join(e.get("message", "?") for e in bad))


def check(cond, what):
    if not cond:
        raise Failure(what)
    print(f"ok   {what}")


FRAMES_JS = """
var sec = document.getElementById(arguments[0]);
var data = JSON.parse(sec.querySelector('.pwf-data').textContent);
var fr = sec.querySelectorAll('.pwf-svg > svg');
return {dom: fr.length, frames: data.v.length, total: data.v[0],
        names: data.k.map(function (k) { return data.n[k]; }),
        v: data.v, d: data.d};
"""

FRAME_STATE_JS = """
var fr = document.getElementById(arguments[0]).querySelectorAll('.pwf-svg > svg');
var out = [];
for (var i = 0; i < fr.length; i++)
  out.push({x: fr[i].getAttribute('x'), w: fr[i].getAttribute('width'),
            hide: fr[i].classList.contains('pwf-hide'), hl: fr[i].classList.contains('pwf-hl'),
            shown: fr[i].getBoundingClientRect().width});
return out;
"""


def check_section(wd, sec, pattern):
    info = wd.js(FRAMES_JS, sec)
    n = info["frames"]
    check(n > 2 and info["dom"] == n, f"{sec}: all {n} frames are in the DOM")
    rx = re.compile(pattern, re.I)
    check(any(rx.search(name) for name in info["names"]),
          f"{sec}: a frame of a function matching /{pattern}/ is drawn")

    # The frame to zoom into: a function (not the root, not a merged frame)
    # between 2% and 95% of the total whose caller is narrower than the root
    # (so that zooming must widen the caller too); the widest such.
    parents = {}
    for i in range(1, n):
        parents[i] = max(k for k in range(i) if info["d"][k] == info["d"][i] - 1)
    cands = [i for i in range(1, n)
             if info["names"][i] != "\u2026" and info["v"][parents[i]] < info["total"]
             and 0.02 * info["total"] <= info["v"][i] <= 0.95 * info["total"]]
    check(cands, f"{sec}: there is a frame under a caller narrower than the root to click")
    j = max(cands, key=lambda i: info["v"][i])
    parent = parents[j]
    eid = wd.find(f"#{sec} .pwf-svg > svg:nth-child({j + 1})")
    before = wd.js(FRAME_STATE_JS, sec)

    # Hover: the tooltip names the function and its value.
    wd.call("POST", "/actions", {"actions": [{
        "type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
        "actions": [{"type": "pointerMove", "duration": 0, "origin": wd.element_ref(eid),
                     "x": 0, "y": 0}]}]})
    tip = wd.js("var t = document.querySelector('.pwf-tip');"
                "return {shown: getComputedStyle(t).display !== 'none', text: t.textContent};")
    check(tip["shown"] and tip["text"].startswith(info["names"][j] + "\n"),
          f"{sec}: hovering {info['names'][j]} shows its name and value ({tip['text']!r})")

    wd.call("POST", f"/element/{eid}/click", {})
    after = wd.js(FRAME_STATE_JS, sec)
    svg_width = wd.js("return document.getElementById(arguments[0])"
                      ".querySelector('.pwf-svg').getBoundingClientRect().width;", sec)
    check(after[j]["x"] == "0%" and after[j]["w"] == "100%"
          and after[j]["shown"] >= svg_width - 3,
          f"{sec}: clicking frame {j} zoomed it to the full width "
          f"({before[j]['w']} -> {after[j]['w']}, {after[j]['shown']:.0f} of {svg_width:.0f} px)")
    check(after[parent]["w"] == "100%" and not after[parent]["hide"],
          f"{sec}: the zoomed frame's caller {info['names'][parent]} spans the width above it")
    hidden = sum(1 for s in after if s["hide"])
    check(hidden > 0 and not after[0]["hide"],
          f"{sec}: {hidden} frames outside the zoomed one are hidden, the root is not")
    wd.call("POST", f"/element/{wd.find(f'#{sec} .pwf-reset')}/click", {})
    reset = wd.js(FRAME_STATE_JS, sec)
    check(all(not s["hide"] for s in reset) and reset[j]["w"] != "100%"
          and abs(float(reset[j]["w"].rstrip("%")) - float(before[j]["w"].rstrip("%"))) < 0.01,
          f"{sec}: reset zoomed out (frame {j} back to {reset[j]['w']})")

    # Search: exactly the frames whose function matches are highlighted.
    box = wd.find(f"#{sec} .pwf-search")
    wd.call("POST", f"/element/{box}/value", {"text": pattern})
    found = wd.js(FRAME_STATE_JS, sec)
    want = [i > 0 and bool(rx.search(info["names"][i])) for i in range(n)]
    got = [s["hl"] for s in found]
    match_text = wd.js("return document.getElementById(arguments[0])"
                       ".querySelector('.pwf-match').textContent;", sec)
    check(any(got) and got == want,
          f"{sec}: searching /{pattern}/ highlights the {sum(got)} matching frames "
          f"({match_text})")


def run(page, screenshot, sections, work, expects=()):
    proc, wd = start_driver(work)
    try:
        wd.call("POST", "/url", {"url": page.resolve().as_uri()})
        check_no_script_errors(wd, "while loading the page")
        page_info = wd.js("var t = performance.getEntriesByType('navigation')[0];"
                          "return {title: document.title, h1: document.querySelector('h1')"
                          ".textContent, ms: t ? t.loadEventEnd - t.startTime : -1};")
        check(page_info["title"] and page_info["title"] == page_info["h1"],
              f"the page loaded and ran its script in {page_info['ms']:.0f} ms "
              f"({page_info['title']!r})")
        for css in expects:
            n = wd.js("return document.querySelectorAll(arguments[0]).length;", css)
            check(n > 0, f"the page has {n} element(s) matching {css!r}")
        for spec in sections:
            sec, _, pattern = spec.partition(":")
            check_section(wd, sec, pattern)
        check_no_script_errors(wd, "while hovering, zooming and searching")
        # The picture: the top of the page, with the searches' highlights.
        wd.js("window.scrollTo(0, 0);")
        png = base64.b64decode(wd.call("GET", "/screenshot"))
        check(png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10000,
              f"screenshot taken ({len(png)} bytes)")
        screenshot.write_bytes(png)
        print(f"screenshot: {screenshot}")
    finally:
        try:
            wd.call("DELETE", "", timeout=10)
        except (Failure, OSError):
            pass
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("page", type=pathlib.Path)
    ap.add_argument("screenshot", type=pathlib.Path)
    ap.add_argument("--section", action="append", default=[],
                    help="ID:REGEX, a section to exercise and a function drawn in it")
    ap.add_argument("--expect", action="append", default=[],
                    help="CSS selector that must match at least one element")
    a = ap.parse_args()

    def too_long(signum, frame):
        raise Failure(f"the browser test took more than {DEADLINE_S} s")

    signal.signal(signal.SIGALRM, too_long)
    signal.alarm(DEADLINE_S)
    with tempfile.TemporaryDirectory(prefix="pw-browser-") as tmp:
        try:
            run(a.page, a.screenshot, a.section, pathlib.Path(tmp), a.expect)
        except Failure as e:
            print(f"FAIL: {e}")
            log = pathlib.Path(tmp) / "chromedriver.log"
            if log.exists():
                tail = log.read_text(errors="replace").splitlines()[-15:]
                print("chromedriver log (last lines):\n  " + "\n  ".join(tail))
            return 1
    print("browser: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
