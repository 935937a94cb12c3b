"""Shared helpers for the scripts that drive a running `kinglet serve` (loopback only)."""
import json
import sys
import time
import urllib.error
import urllib.request

FAILURES = []


def check(condition, what):
    """Records a failed expectation (the script exits non-zero at the end) and prints each result."""
    print(("ok    " if condition else "FAIL  ") + what, flush=True)
    if not condition:
        FAILURES.append(what)
    return condition


def finish():
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed:", *FAILURES, sep="\n  ", flush=True)
        sys.exit(1)
    print("all checks ok", flush=True)


def raw(base, method, path, body=None, headers=None, timeout=60):
    """One HTTP request without the openai client; returns (status, headers, body bytes)."""
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers or {})
    if data is not None and "Content-Type" not in (headers or {}):
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def is_openai_error(body):
    """The body is OpenAI's error shape: {"error": {"message", "type", "param", "code"}}."""
    try:
        e = json.loads(body)["error"]
        return isinstance(e["message"], str) and e["message"] and isinstance(e["type"], str) \
            and "param" in e and "code" in e
    except Exception:
        return False


def metric(base, series, headers=None):
    """The value of one series from GET /metrics, e.g. 'kinglet_generations_total{reason="cancelled"}'."""
    _, _, body = raw(base, "GET", "/metrics", headers=headers)
    for line in body.decode().splitlines():
        if not line.startswith("#") and line.rsplit(" ", 1)[0] == series:
            return float(line.rsplit(" ", 1)[1])
    return None


def wait_until(predicate, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()
