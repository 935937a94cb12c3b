#!/usr/bin/env python3
"""Constrained generation on the real model holds every schema (issue 15's property test).

Draws N random JSON Schemas (nested objects, arrays with bounds, enums, consts, anyOf, nullable
type arrays, string/integer bounds, patterns, formats, recursive $defs), asks `kinglet serve` (the
real SmolLM2 by default) for an answer to each with `response_format: json_schema` at temperature
1, and validates every answer that finished (`finish_reason: stop`) with Python `jsonschema`
(draft 2020-12, formats checked) — an independent validator. Exit 1 if any finished answer does
not validate, any request fails, or fewer than --min-finished of the answers finished (a test that
finishes nothing would prove nothing).

  swift build -c release --product kinglet
  python3 scripts/check-schema-generations.py [--kinglet PATH] [--model NAME] [--count 500] [--parallel 8]
"""
import argparse, concurrent.futures, json, pathlib, random, re, subprocess, sys, threading, time, urllib.request
from schema_validation import validator_for, validates

root = pathlib.Path(__file__).resolve().parent.parent
ap = argparse.ArgumentParser()
ap.add_argument("--kinglet", default=str(root / ".build/release/kinglet"))
ap.add_argument("--model", default="smollm2-135m")
ap.add_argument("--count", type=int, default=500)
ap.add_argument("--parallel", type=int, default=8)
ap.add_argument("--max-tokens", type=int, default=192)
ap.add_argument("--seed", type=int, default=2026)
ap.add_argument("--min-finished", type=float, default=0.6)
args = ap.parse_args()

WORDS = ["red", "green", "blue", "alpha", "beta", "kinglet", "oak", "river", "x", "Zürich", "日本", "a b"]


def gen(rng, depth, defs):
    """A random schema of the subset Kinglet enforces (every keyword here must be accepted)."""
    kinds = ["string", "integer", "number", "boolean", "enum", "const", "null"]
    if depth < 3:
        kinds += ["object", "object", "array", "anyOf", "nullable"]
    if defs is not None and depth >= 1 and depth < 3:
        kinds.append("ref")
    k = rng.choice(kinds)
    if k == "string":
        s = {"type": "string"}
        r = rng.random()
        if r < 0.25:
            s["maxLength"] = rng.randint(1, 12)
            if rng.random() < 0.5:
                s["minLength"] = rng.randint(0, s["maxLength"])
        elif r < 0.35:
            s["pattern"] = rng.choice([r"^[a-z]{2,6}$", r"^\d{3}-\d{4}$", r"^(yes|no|maybe)$", r"^[A-Z][a-z]*$"])
        elif r < 0.45:
            s["format"] = rng.choice(["date", "time", "date-time", "uuid"])
        return s
    if k == "integer":
        s = {"type": "integer"}
        if rng.random() < 0.5:
            lo = rng.randint(-50, 50)
            s["minimum"] = lo
            s["maximum"] = lo + rng.randint(0, 100)
        return s
    if k == "number":
        return {"type": "number"}
    if k == "boolean":
        return {"type": "boolean"}
    if k == "null":
        return {"type": "null"}
    if k == "enum":
        return {"enum": rng.sample(WORDS, rng.randint(1, 4)) + ([rng.randint(0, 9)] if rng.random() < 0.3 else [])}
    if k == "const":
        return {"const": rng.choice(WORDS + [1, True, None])}
    if k == "nullable":
        return {"type": [rng.choice(["string", "integer", "boolean"]), "null"]}
    if k == "anyOf":
        return {"anyOf": [gen(rng, depth + 1, defs) for _ in range(rng.randint(2, 3))]}
    if k == "array":
        s = {"type": "array", "items": gen(rng, depth + 1, defs)}
        if rng.random() < 0.7:
            s["maxItems"] = rng.randint(1, 4)
            s["minItems"] = rng.randint(0, s["maxItems"])
        return s
    if k == "ref":
        return {"$ref": "#/$defs/node"}
    names = rng.sample(["name", "id", "tags", "value", "kind", "items", "when", "note", "child", "score"], rng.randint(1, 4))
    props = {n: gen(rng, depth + 1, defs) for n in names}
    required = [n for n in names if rng.random() < 0.7]
    return {"type": "object", "properties": props, "required": required, "additionalProperties": False}


def schema(rng):
    if rng.random() < 0.15:  # recursion through $defs: a small tree
        node = {"type": "object", "properties": {"value": {"type": "integer", "minimum": 0, "maximum": 9},
                                                 "children": {"type": "array", "items": {"$ref": "#/$defs/node"}, "maxItems": 2}},
                "required": ["value"], "additionalProperties": False}
        return {"$defs": {"node": node}, "$ref": "#/$defs/node"}
    defs = {} if rng.random() < 0.2 else None  # some schemas refer to a recursive linked-list node
    s = gen(rng, 0, defs)
    if defs is not None:
        node = {"type": "object", "properties": {"v": {"type": "integer"}, "next": {"anyOf": [{"$ref": "#/$defs/node"}, {"type": "null"}]}},
                "required": ["v", "next"], "additionalProperties": False}
        s = {"$defs": {"node": node}, **s}
    return s


def start_server():
    p = subprocess.Popen([args.kinglet, "serve", "--model", args.model, "--port", "0", "--parallel", str(args.parallel),
                          "--queue", str(4 * args.parallel)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 600
    while time.time() < deadline:
        line = p.stdout.readline()
        if not line:
            raise SystemExit(f"kinglet serve exited {p.wait()}: {p.stderr.read()}")
        m = re.search(r"serving \S+ at (http://\S+)/v1", line)
        if m:
            threading.Thread(target=lambda: [None for _ in p.stdout], daemon=True).start()
            threading.Thread(target=lambda: [None for _ in p.stderr], daemon=True).start()
            return p, m.group(1)
    raise SystemExit("kinglet serve did not become ready in 600 s")


def ask(base, i, s):
    body = {"model": args.model, "temperature": 1, "seed": args.seed + i, "max_tokens": args.max_tokens,
            "messages": [{"role": "user", "content": "Write a JSON value for this schema: " + json.dumps(s)}],
            "response_format": {"type": "json_schema", "json_schema": {"name": f"s{i}", "schema": s, "strict": True}}}
    req = urllib.request.Request(base + "/v1/chat/completions", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=600) as r:
            out = json.loads(r.read())
    except urllib.error.HTTPError as e:
        return i, s, None, f"HTTP {e.code}: {e.read()[:300]!r}"
    c = out["choices"][0]
    return i, s, (c["finish_reason"], c["message"]["content"]), None


rng = random.Random(args.seed)
schemas = [schema(rng) for _ in range(args.count)]
server, base = start_server()
t0 = time.time()
finished = valid = errors = 0
failures = []
try:
    with concurrent.futures.ThreadPoolExecutor(args.parallel) as pool:
        for i, s, answer, error in pool.map(lambda a: ask(base, *a), enumerate(schemas)):
            if error:
                errors += 1
                failures.append(f"schema {i}: {error}\n  {json.dumps(s)}")
                continue
            reason, text = answer
            if reason != "stop":
                continue
            finished += 1
            if validates(validator_for(s), text):
                valid += 1
            else:
                failures.append(f"schema {i}: answer does not validate: {text!r}\n  {json.dumps(s)}")
finally:
    server.terminate()
    server.wait()

print(f"{args.count} schemas, {finished} answers finished, {valid} of them valid, {errors} request errors "
      f"({time.time() - t0:.0f} s, {args.parallel} parallel, max_tokens {args.max_tokens})")
for f in failures[:20]:
    print("FAIL", f)
if failures or finished < args.min_finished * args.count:
    if finished < args.min_finished * args.count:
        print(f"FAIL only {finished} of {args.count} answers finished (need {args.min_finished:.0%})")
    sys.exit(1)
print("all finished answers validate")
