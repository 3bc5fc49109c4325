#!/usr/bin/env python3
"""A DogStatsD stand-in for the tests: receives datagrams on a unix datagram
socket (--unix PATH) or on UDP 127.0.0.1 (--udp, port written to
--ready once it listens), and appends each one, hex-encoded, to --out."""
import argparse
import os
import socket
import time

p = argparse.ArgumentParser()
p.add_argument("--unix")
p.add_argument("--udp", action="store_true")
p.add_argument("--ready", required=True)
p.add_argument("--out", required=True)
p.add_argument("--no-read", action="store_true", help="never read: the socket fills up")
a = p.parse_args()
if a.unix:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(a.unix)
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
ready = a.ready
with open(ready + ".tmp", "w") as f:
    f.write("%d\n" % (s.getsockname()[1] if not a.unix else 0))
os.rename(ready + ".tmp", ready)
if a.no_read:
    while True:
        time.sleep(60)
with open(a.out, "a") as out:
    while True:
        d = s.recv(70000)
        out.write(d.hex() + "\n")
        out.flush()
