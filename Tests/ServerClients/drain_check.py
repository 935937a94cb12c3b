"""SIGTERM drains: a stream in flight when the server is told to stop runs to its end
(finish_reason, then [DONE]); the listener closes at once, so a new connection is refused; the
process then exits 0. Usage: drain_check.py BASE_URL MODEL SERVER_PID"""
import json
import os
import signal
import socket
import sys
import time
import urllib.request
from urllib.parse import urlparse

from common import check, finish

base, model, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
body = {"model": model, "messages": [{"role": "user", "content": "Tell me a long story about a kinglet."}],
        "max_tokens": 96, "temperature": 0, "stream": True}
req = urllib.request.Request(base + "/v1/chat/completions", data=json.dumps(body).encode(), method="POST",
                             headers={"Content-Type": "application/json"})
events, finish_reason, done = 0, None, False
with urllib.request.urlopen(req, timeout=120) as r:
    for raw_line in r:
        line = raw_line.decode().strip()
        if not line.startswith("data: "):
            continue
        if line == "data: [DONE]":
            done = True
            break
        events += 1
        chunk = json.loads(line[6:])
        if chunk["choices"] and chunk["choices"][0].get("finish_reason"):
            finish_reason = chunk["choices"][0]["finish_reason"]
        if events == 3:
            os.kill(pid, signal.SIGTERM)  # mid-stream
            time.sleep(0.3)
            u = urlparse(base)
            try:
                socket.create_connection((u.hostname, u.port), timeout=2).close()
                check(False, "a new connection after SIGTERM is refused")
            except OSError as e:
                check(True, f"a new connection after SIGTERM is refused ({e.__class__.__name__})")
check(done and finish_reason in ("length", "stop"), f"the stream in flight ran to its end: {events} events, finish_reason {finish_reason}, [DONE] {done}")
check(events > 10, f"tokens kept coming after SIGTERM ({events} events, SIGTERM after the 3rd)")
finish()
