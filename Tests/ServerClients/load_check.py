"""Bounded load test against a running `kinglet serve --parallel 16` on loopback: C concurrent
streaming clients x R requests each. Every response must complete, and be exactly what the same
prompt gives when run alone (greedy). Optionally measures aggregate tokens/s at several
concurrency levels. Usage: load_check.py BASE_URL MODEL [--clients 16] [--requests 2]
[--max-tokens 32] [--measure 1,4,16] [--deadline 300]"""
import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import openai
from common import check, finish, metric

ap = argparse.ArgumentParser()
ap.add_argument("base")
ap.add_argument("model")
ap.add_argument("--clients", type=int, default=16)
ap.add_argument("--requests", type=int, default=2)
ap.add_argument("--max-tokens", type=int, default=32)
ap.add_argument("--measure", default="")
ap.add_argument("--deadline", type=float, default=300)
args = ap.parse_args()
started = time.time()

PROMPTS = [
    "Name three colours.", "What is the capital of France?", "Write a haiku about the sea.",
    "Give me a tip for learning to code.", "What do birds eat?", "Describe a kinglet in one sentence.",
    "Why is the sky blue?", "List two fruits.", "How many legs does a spider have?", "Say hello in French.",
    "What is 2 + 2?", "Suggest a name for a cat.", "What is rain?", "Tell me a fun fact.",
    "What is a computer?", "Write one line of a poem about autumn.",
]
client = openai.OpenAI(base_url=args.base + "/v1", api_key="unused", max_retries=0, timeout=args.deadline)


def stream_one(prompt, max_tokens):
    """One streaming greedy request; returns (text, finish_reason, completion_tokens, saw_usage)."""
    text, finish_reason, usage = [], None, None
    for c in client.chat.completions.create(model=args.model, messages=[{"role": "user", "content": prompt}],
                                            max_tokens=max_tokens, temperature=0, stream=True,
                                            stream_options={"include_usage": True}):
        if c.usage is not None:
            usage = c.usage
        if c.choices:
            text.append(c.choices[0].delta.content or "")
            finish_reason = c.choices[0].finish_reason or finish_reason
    return "".join(text), finish_reason, usage.completion_tokens if usage else -1


prompts = PROMPTS[: max(1, min(len(PROMPTS), args.clients))]
reference = {p: stream_one(p, args.max_tokens) for p in prompts}  # one at a time
check(all(r[1] in ("stop", "length") and r[2] > 0 for r in reference.values()), f"{len(prompts)} reference runs, one at a time")

jobs = [(i, j, prompts[(i + j) % len(prompts)]) for i in range(args.clients) for j in range(args.requests)]


def client_run(i):
    out = []
    for j in range(args.requests):
        p = prompts[(i + j) % len(prompts)]
        try:
            out.append((p, stream_one(p, args.max_tokens)))
        except Exception as e:  # noqa: BLE001
            out.append((p, ("", f"error {e}", -1)))
    return out


steps0, seqs0 = metric(args.base, "kinglet_batch_steps_total"), metric(args.base, "kinglet_batch_sequences_total")
t0 = time.time()
with ThreadPoolExecutor(args.clients) as pool:
    results = [r for rs in pool.map(client_run, range(args.clients)) for r in rs]
wall = time.time() - t0
steps, seqs = metric(args.base, "kinglet_batch_steps_total") - steps0, metric(args.base, "kinglet_batch_sequences_total") - seqs0
mean_batch = seqs / max(steps, 1)
print(f"batching: {steps:.0f} forward passes for {seqs:.0f} sequence-steps, mean batch {mean_batch:.1f}")
if args.clients >= 4:
    check(mean_batch > 2, f"concurrent streams share forward passes (mean batch {mean_batch:.1f})")
check(len(results) == len(jobs), f"{len(results)} of {len(jobs)} responses returned")
bad = [(p, got) for p, got in results if got != reference[p]]
for p, got in bad[:5]:
    print(f"  differs for {p!r}: {got!r} vs alone {reference[p]!r}")
check(not bad, f"every response complete and identical to the same prompt run alone ({len(bad)} differ)")
tokens = sum(r[2] for _, r in results)
print(f"load: {args.clients} clients x {args.requests} requests, {tokens} tokens in {wall:.2f} s = {tokens / wall:.1f} tokens/s")

for level in [int(x) for x in args.measure.split(",") if x]:
    if time.time() - started > args.deadline:
        check(False, "measurement ran past the deadline")
        break
    t0 = time.time()
    with ThreadPoolExecutor(level) as pool:
        rs = list(pool.map(lambda k: stream_one(PROMPTS[k % len(PROMPTS)], args.max_tokens), range(level * args.requests)))
    wall = time.time() - t0
    n = sum(r[2] for r in rs)
    print(f"measure: {level:2d} concurrent streams: {n} tokens in {wall:.2f} s = {n / wall:.1f} tokens/s aggregate", flush=True)
check(time.time() - started < args.deadline, "within the time bound")
finish()
