#!/usr/bin/env bash
# Time to first token of a streamed two-turn chat (issue 22): turn 1 is a ~1,500-token user message
# of prose this script builds, turn 2 a one-line follow-up (sent twice: "turn 2 again"), against
# `kinglet serve` with and without its prompt cache and, given --llama-server PATH, llama-server
# with the same model, threads, context and one slot. The servers alternate, each started afresh
# every round; the table gives each column's median over the rounds. "kinglet-restarted" runs
# `kinglet serve --prompt-cache DIR`, stops it after turn 1 (Ctrl-C: it saves its slots) and starts
# it again for turn 2: the follow-up of a conversation the server evaluated before its restart.
#
# Usage: scripts/bench-prompt-cache.sh [--model PATH] [--kinglet PATH] [--llama-server PATH]
#                                      [--threads 2] [--context 4096] [--rounds 3]
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL="$HOME/.cache/kinglet/models/smollm2-135m/SmolLM2-135M-Instruct.Q4_1.gguf"
KINGLET=".build/release/kinglet"
LLAMA=""
THREADS=2
CONTEXT=4096
ROUNDS=3
while [ $# -gt 0 ]; do
    case "$1" in
        --model) MODEL="$2"; shift 2 ;;
        --kinglet) KINGLET="$2"; shift 2 ;;
        --llama-server) LLAMA="$2"; shift 2 ;;
        --threads) THREADS="$2"; shift 2 ;;
        --context) CONTEXT="$2"; shift 2 ;;
        --rounds) ROUNDS="$2"; shift 2 ;;
        *) echo "unknown argument: $1 (see the usage at the top of $0)" >&2; exit 2 ;;
    esac
done
[ -f "$MODEL" ] || { echo "no model file at $MODEL (kinglet pull smollm2-135m, or --model PATH)" >&2; exit 1; }
[ -x "$KINGLET" ] || { echo "no kinglet at $KINGLET (swift build -c release --product kinglet)" >&2; exit 1; }
[ -z "$LLAMA" ] || [ -x "$LLAMA" ] || { echo "--llama-server $LLAMA is not an executable" >&2; exit 1; }

WORK="$(mktemp -d)"
PID=""
stop_server() {
    if [ -n "$PID" ]; then kill -INT "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=""; fi
}
trap 'stop_server; rm -rf "$WORK"' EXIT

# The client: a streamed chat's time to its first content token, from the request's start.
cat >"$WORK/client.py" <<'EOF'
import json, random, sys, time, urllib.request

def prose(words):
    rng = random.Random(22)
    subjects = ["The old harbour", "A quiet village", "The river", "Every traveller", "The night train", "A small garden",
                "The market square", "An orchard", "The lighthouse keeper", "The baker's daughter"]
    verbs = ["watched", "remembered", "carried", "followed", "painted", "described", "gathered", "crossed", "welcomed", "forgot"]
    objects = ["the long autumn evenings", "a letter from the coast", "the sound of distant bells", "the first snow of winter",
               "a map of forgotten roads", "the smell of fresh bread", "the boats returning at dusk", "a song about the hills",
               "the lanterns along the pier", "the stories of their grandparents"]
    tails = ["while the wind moved slowly over the fields.", "before the rain arrived from the west.",
             "and nobody in the town spoke of it again.", "as the bells rang for the evening meal.",
             "although the road had been closed for years.", "because the summer had been unusually dry."]
    out, n = [], 0
    while n < words:
        s = f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(objects)} {rng.choice(tails)}"
        out.append(s)
        n += len(s.split())
    return " ".join(out)

def ttft(base, messages, max_tokens):
    body = json.dumps({"messages": messages, "max_tokens": max_tokens, "temperature": 0,
                       "stream": True, "stream_options": {"include_usage": True}}).encode()
    req = urllib.request.Request(base + "/v1/chat/completions", data=body, headers={"Content-Type": "application/json"})
    t0 = time.perf_counter()
    first, text, usage = None, "", {}
    with urllib.request.urlopen(req, timeout=600) as r:
        for line in r:
            line = line.decode().strip()
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            for c in chunk.get("choices") or []:
                piece = (c.get("delta") or {}).get("content") or ""
                if piece and first is None:
                    first = time.perf_counter() - t0
                text += piece
            usage = chunk.get("usage") or usage
    cached = ((usage or {}).get("prompt_tokens_details") or {}).get("cached_tokens")
    return (first if first is not None else time.perf_counter() - t0), text, usage.get("prompt_tokens"), cached

# argv: base URL, then "all" (both turns), "first" (turn 1; the state goes to argv[3]) or "rest"
# (turn 2 twice, after "first" against an earlier server; the state comes from argv[3]).
base, phase = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "all"
if phase != "rest":  # after a restart the one slot holds the conversation: a warm-up would evict it
    ttft(base, [{"role": "user", "content": "Hello."}], 1)  # warm-up: pages the model in
if phase in ("all", "first"):
    messages = [{"role": "user", "content": prose(1380) + "\n\nSummarise this text in one sentence."}]
    t1, reply, p1, c1 = ttft(base, messages, 32)
    messages += [{"role": "assistant", "content": reply}, {"role": "user", "content": "Thank you. Now give it a short title."}]
    if phase == "first":
        json.dump({"messages": messages, "turn1": t1, "p1": p1, "c1": c1}, open(sys.argv[3], "w"))
        sys.exit(0)
else:
    state = json.load(open(sys.argv[3]))
    messages, t1, p1, c1 = state["messages"], state["turn1"], state["p1"], state["c1"]
t2, _, p2, c2 = ttft(base, messages, 32)
t3, _, p3, c3 = ttft(base, messages, 32)
print(json.dumps({"turn1": t1, "turn2": t2, "turn2again": t3, "prompt": [p1, p2, p3], "cached": [c1, c2, c3]}))
EOF

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_ready() {  # $1: base URL, $2: log
    for _ in $(seq 1 1200); do
        if ! kill -0 "$PID" 2>/dev/null; then cat "$2" >&2; echo "the server exited" >&2; exit 1; fi
        if python3 -c "import json,sys,urllib.request; sys.exit(0 if json.load(urllib.request.urlopen('$1/health', timeout=2)).get('status') == 'ok' else 1)" 2>/dev/null; then return; fi
        sleep 0.1
    done
    cat "$2" >&2; echo "the server did not become ready" >&2; exit 1
}

start_server() {  # the server's command line without the port; sets PORT
    PORT="$(free_port)"
    "$@" --port "$PORT" >"$WORK/server.log" 2>&1 &
    PID=$!
    wait_ready "http://127.0.0.1:$PORT" "$WORK/server.log"
}

run_one() {  # $1: label; the rest: the server's command line without the port
    local label="$1"; shift
    start_server "$@"
    local out; out="$(python3 "$WORK/client.py" "http://127.0.0.1:$PORT")"
    echo "$label $out" | tee -a "$WORK/results"
    stop_server
}

run_restarted() {  # $1: label; the rest: the server's command line without the port
    local label="$1"; shift
    start_server "$@"
    python3 "$WORK/client.py" "http://127.0.0.1:$PORT" first "$WORK/state.json"
    stop_server
    start_server "$@"
    local out; out="$(python3 "$WORK/client.py" "http://127.0.0.1:$PORT" rest "$WORK/state.json")"
    echo "$label $out" | tee -a "$WORK/results"
    stop_server
}

echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')  threads $THREADS  context $CONTEXT  model $(basename "$MODEL")"
for round in $(seq 1 "$ROUNDS"); do
    echo "round $round"
    run_one kinglet "$KINGLET" serve --model "$MODEL" --threads "$THREADS" --context "$CONTEXT" --parallel 1
    rm -rf "$WORK/slots"
    run_restarted kinglet-restarted "$KINGLET" serve --model "$MODEL" --threads "$THREADS" --context "$CONTEXT" --parallel 1 --prompt-cache "$WORK/slots"
    run_one kinglet-no-cache "$KINGLET" serve --model "$MODEL" --threads "$THREADS" --context "$CONTEXT" --parallel 1 --no-prompt-cache
    if [ -n "$LLAMA" ]; then
        run_one llama-server "$LLAMA" -m "$MODEL" -t "$THREADS" -c "$CONTEXT" -np 1 --host 127.0.0.1
    fi
done

python3 - "$WORK/results" <<'EOF'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    label, data = line.split(" ", 1)
    rows.setdefault(label, []).append(json.loads(data))
print("\ntime to first token, median of %d rounds (seconds)\n" % max(len(r) for r in rows.values()))
print("| | turn 1 | turn 2 | turn 2 again | prompt tokens (turn 1, 2) | cached tokens (turn 1, 2, again) |")
print("|---|---:|---:|---:|---|---|")
for label, rs in rows.items():
    med = lambda k: statistics.median(r[k] for r in rs)
    last = rs[-1]
    print(f"| {label} | {med('turn1'):.3f} | {med('turn2'):.3f} | {med('turn2again'):.3f} | "
          f"{last['prompt'][0]}, {last['prompt'][1]} | {', '.join(str(c) for c in last['cached'])} |")
EOF
