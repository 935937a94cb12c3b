"""The clients of scripts/abuse-serve.sh, all at once against a running `kinglet serve` on
loopback: idle sockets, a slowloris, a request that trips the hostile chat template, and
concurrent streaming chats that must each be complete and identical to the same prompt answered
alone (greedy). Then a normal request must still succeed. Standard library only.

Usage: abuse_serve_clients.py BASE_URL [--idle 1000] [--streams 64] [--max-tokens 24]
       [--hostile-timeout 60] [--slowloris-limit 15] [--deadline 400]
Prints one line per check and a summary; exits 1 if any check failed."""
import argparse
import http.client
import json
import socket
import sys
import threading
import time
import urllib.parse

ap = argparse.ArgumentParser()
ap.add_argument("base")
ap.add_argument("--idle", type=int, default=1000)
ap.add_argument("--streams", type=int, default=64)
ap.add_argument("--max-tokens", type=int, default=24)
ap.add_argument("--hostile-timeout", type=float, default=60)
ap.add_argument("--slowloris-limit", type=float, default=15, help="seconds within which the server must drop it")
ap.add_argument("--deadline", type=float, default=400)
args = ap.parse_args()
url = urllib.parse.urlparse(args.base)
HOST, PORT = url.hostname, url.port
started = time.time()
FAILURES = []
PROMPTS = ["Name three colours.", "What is the capital of France?", "Write a haiku about the sea.",
           "What do birds eat?", "Why is the sky blue?", "List two fruits.", "Say hello in French.", "What is rain?"]


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what, flush=True)
    if not ok:
        FAILURES.append(what)
    return ok


def request(method, path, body=None, timeout=120):
    """(status, body bytes) of one request on its own connection."""
    c = http.client.HTTPConnection(HOST, PORT, timeout=timeout)
    try:
        c.request(method, path, body=None if body is None else json.dumps(body),
                  headers={"Content-Type": "application/json"} if body is not None else {})
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def chat_body(prompt, stream):
    return {"messages": [{"role": "user", "content": prompt}], "max_tokens": args.max_tokens, "temperature": 0, "stream": stream}


def reference(prompt):
    status, body = request("POST", "/v1/chat/completions", chat_body(prompt, False))
    if status != 200:
        return None
    choice = json.loads(body)["choices"][0]
    return choice["message"]["content"], choice["finish_reason"]


def stream(prompt):
    """One streamed chat: (text, finish_reason) or raises with what was wrong with the stream."""
    c = http.client.HTTPConnection(HOST, PORT, timeout=args.deadline)
    try:
        c.request("POST", "/v1/chat/completions", body=json.dumps(chat_body(prompt, True)), headers={"Content-Type": "application/json"})
        r = c.getresponse()
        if r.status != 200:
            raise RuntimeError(f"status {r.status}: {r.read()[:200]!r}")
        text, reasons, ids, done = [], [], set(), False
        for raw in r:
            line = raw.decode("utf-8").rstrip("\r\n")
            if not line:
                continue
            if not line.startswith("data: "):
                raise RuntimeError(f"not an SSE data line: {line[:80]!r}")
            if done:
                raise RuntimeError("data after [DONE]")
            data = line[6:]
            if data == "[DONE]":
                done = True
                continue
            chunk = json.loads(data)  # garbled JSON raises here
            if chunk.get("object") != "chat.completion.chunk":
                raise RuntimeError(f"not a chunk: {data[:120]}")
            ids.add(chunk["id"])
            for choice in chunk["choices"]:
                text.append(choice["delta"].get("content") or "")
                if choice.get("finish_reason"):
                    reasons.append(choice["finish_reason"])
        if not done or len(ids) != 1 or len(reasons) != 1:
            raise RuntimeError(f"incomplete stream: [DONE] {done}, ids {len(ids)}, finish reasons {reasons}")
        return "".join(text), reasons[0]
    finally:
        c.close()


def metrics():
    _, body = request("GET", "/metrics")
    out = {}
    for line in body.decode().splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            out[name] = float(value)
    return out


# --- before the storm: references, one at a time
status, _ = request("GET", "/health")
check(status == 200, "server healthy before the storm")
refs = {p: reference(p) for p in PROMPTS}
check(all(refs.values()), f"{len(PROMPTS)} non-streamed reference answers (greedy, max_tokens {args.max_tokens})")

# --- the storm: idle sockets first, then everything else at once
idle = []
for _ in range(args.idle):
    try:
        idle.append(socket.create_connection((HOST, PORT), timeout=5))
    except OSError as e:
        print(f"note  idle socket {len(idle) + 1}: {e}", flush=True)
        break
check(len(idle) == args.idle, f"{len(idle)} of {args.idle} idle sockets opened")

results = {}


def slowloris():
    s = socket.create_connection((HOST, PORT), timeout=5)
    t0, got = time.time(), b""
    header = b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 10_000
    try:
        for i in range(len(header)):
            s.sendall(header[i:i + 1])
            s.settimeout(2.0)  # a byte every 2 s, reading meanwhile
            try:
                chunk = s.recv(4096)
                got += chunk
                if not chunk:
                    break
            except socket.timeout:
                pass
            if time.time() - t0 > args.slowloris_limit + 30:
                break
    except OSError:
        pass  # reset by the server
    results["slowloris"] = (time.time() - t0, got.split(b"\r\n", 1)[0].decode(errors="replace"))
    s.close()


def hostile():
    t0 = time.time()
    try:
        status, body = request("POST", "/v1/chat/completions", chat_body("Please BOOM now.", False), timeout=args.hostile_timeout)
        try:
            err = json.loads(body)["error"]
        except Exception:  # noqa: BLE001
            err = None
        results["hostile"] = (time.time() - t0, status, err)
    except (socket.timeout, TimeoutError):
        results["hostile"] = (time.time() - t0, None, None)
    except OSError as e:
        results["hostile"] = (time.time() - t0, f"connection error {e}", None)


def streamer(i):
    p = PROMPTS[i % len(PROMPTS)]
    try:
        results[("stream", i)] = (p, stream(p))
    except Exception as e:  # noqa: BLE001
        results[("stream", i)] = (p, e)


threads = [threading.Thread(target=slowloris, daemon=True), threading.Thread(target=hostile, daemon=True)]
threads += [threading.Thread(target=streamer, args=(i,), daemon=True) for i in range(args.streams)]
t0 = time.time()
for t in threads:
    t.start()
for t in threads:
    t.join(max(1, args.deadline - (time.time() - started)))
storm = time.time() - t0

# --- verdicts
streams = [results.get(("stream", i)) for i in range(args.streams)]
errors = [(p, r) for p, r in filter(None, streams) if isinstance(r, Exception)]
for p, e in errors[:5]:
    print(f"      stream for {p!r} failed: {e}", flush=True)
differ = [(p, r) for p, r in filter(None, streams) if not isinstance(r, Exception) and r != refs[p]]
for p, r in differ[:5]:
    print(f"      stream for {p!r}: {r!r}, alone: {refs[p]!r}", flush=True)
finished = sum(1 for s in streams if s is not None)
check(finished == args.streams and not errors and not differ,
      f"{args.streams} concurrent streams complete, well-formed and identical to the non-streamed answers "
      f"({finished} finished, {len(errors)} failed, {len(differ)} differ) in {storm:.1f} s")

if "slowloris" in results:
    seconds, first_line = results["slowloris"]
    check(seconds <= args.slowloris_limit, f"slowloris (a header byte every 2 s) dropped after {seconds:.1f} s: {first_line or '(closed without answer)'}")
else:
    check(False, "slowloris: no result before the deadline")

if "hostile" in results:
    seconds, status, err = results["hostile"]
    if status is None:
        check(False, f"hostile template request: no answer within {seconds:.0f} s (the template ran on; is there no render budget or deadline?)")
    else:
        ok = isinstance(status, int) and status >= 400 and err is not None
        check(ok, f"hostile template request answered {status} in {seconds:.1f} s: {err.get('code') if err else status} "
                  f"({(err or {}).get('message', '')[:100]})")
else:
    check(False, "hostile template request: no result before the deadline")

closed = 0
for s in idle:
    s.setblocking(False)
    try:
        closed += s.recv(1) == b""
    except BlockingIOError:
        pass
    except OSError:
        closed += 1
m = metrics()
timed_out = ", ".join("%s %.0f" % (p, m.get('kinglet_connections_timed_out_total{phase="%s"}' % p, -1)) for p in ("idle", "header", "body"))
print(f"note  idle sockets: {closed} of {len(idle)} closed by the server, {len(idle) - closed} still held; server: "
      f"{m.get('kinglet_connections_open', -1):.0f} open, {m.get('kinglet_connections_evicted_total', -1):.0f} evicted (idle, at the cap), "
      f"{m.get('kinglet_connections_refused_total', -1):.0f} refused, timed out: {timed_out}", flush=True)
check(m.get("kinglet_connections_open", 1e9) <= 1024, "connections held within the cap")

# --- after the storm: a normal request still succeeds, with the same answer as before
for s in idle:
    s.close()
after = reference(PROMPTS[0])
check(after == refs[PROMPTS[0]], f"a normal request after the storm succeeds and matches: {after!r}")
check(time.time() - started < args.deadline, f"all within the deadline ({time.time() - started:.0f} s of {args.deadline:.0f})")

print(f"summary: {len(FAILURES)} failed check(s)" + "".join(f"\n  {f}" for f in FAILURES) if FAILURES else "summary: all checks ok", flush=True)
sys.exit(1 if FAILURES else 0)
