#!/usr/bin/env python3
"""Time to first token through `kinglet serve --upstream` (issue 16): streams every item of a
`route eval` set (or the first --n) one at a time, greedy, and reports the median and p95 time
from sending the request to the first event carrying text, and the share each side answered
(the `x-kinglet-route` response header).

    python3 scripts/route-latency.py --url http://127.0.0.1:8090/v1 --data Tests/Data/route/route-eval.jsonl \\
        [--mode local-only|auto|upstream] [--n 100] [--max-tokens 16]

Run it against a server started with `--route SIGNAL:T` (decides on the whole local answer) and
one with `--route SIGNAL:T:early=K` (on the first K tokens); `--mode local-only` on either gives
the local model alone.
"""
import argparse, http.client, json, statistics, time, urllib.parse


def ttft(url, item, mode, max_tokens, stop=True):
    u = urllib.parse.urlparse(url)
    body = {"max_tokens": max_tokens, "temperature": 0, "seed": 0, "stream": True}
    if "prompt" in item:
        body.update(prompt=item["prompt"])
        if stop:
            body["stop"] = item.get("stop", ["\n"])
        path = u.path + "/completions"
    else:
        body.update(messages=item["messages"])
        path = u.path + "/chat/completions"
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
    start = time.perf_counter()
    conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json", "x-kinglet-route": mode})
    r = conn.getresponse()
    route = r.getheader("x-kinglet-route")
    first = None
    buffer = b""
    while True:
        chunk = r.read1(65536)
        if not chunk:
            break
        buffer += chunk
        while b"\n\n" in buffer:
            event, buffer = buffer.split(b"\n\n", 1)
            data = event[len(b"data: "):]
            if first is None and data != b"[DONE]":
                c = (json.loads(data).get("choices") or [{}])[0]
                if c.get("text") or (c.get("delta") or {}).get("content"):
                    first = time.perf_counter() - start
    conn.close()
    return (first if first is not None else time.perf_counter() - start), route


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--url", required=True)
    a.add_argument("--data", required=True)
    a.add_argument("--mode", default="auto")
    a.add_argument("--n", type=int, default=0)
    a.add_argument("--max-tokens", type=int, default=16)
    a.add_argument("--no-stop", action="store_true", help="let prompt answers run to --max-tokens (longer local answers)")
    args = a.parse_args()
    items = [json.loads(l) for l in open(args.data) if l.strip()]
    if args.n:
        step = max(1, len(items) // args.n)  # spread over the families
        items = items[::step][:args.n]
    times, by_route = [], {}
    for item in items:
        t, route = ttft(args.url, item, args.mode, args.max_tokens, stop=not args.no_stop)
        times.append(t)
        by_route.setdefault(route, []).append(t)

    def summary(ts):
        ts = sorted(ts)
        p95 = ts[min(len(ts) - 1, int(round(0.95 * (len(ts) - 1))))]
        return {"n": len(ts), "median_ms": round(1000 * statistics.median(ts), 1), "p95_ms": round(1000 * p95, 1)}

    print(json.dumps({"mode": args.mode, "all": summary(times), **{f"answered_by_{r}": summary(ts) for r, ts in by_route.items()}}))


if __name__ == "__main__":
    main()
