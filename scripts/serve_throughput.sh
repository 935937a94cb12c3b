#!/usr/bin/env bash
# Aggregate generation throughput of `kinglet serve` at 1, 4 and 16 concurrent streams (loopback
# only, bounded): starts the server on a free port, runs Tests/ServerClients/load_check.py with
# --measure, stops the server. Usage: scripts/serve_throughput.sh [MODEL] [MAX_TOKENS] [REQUESTS_PER_STREAM]
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL="${1:-smollm2-135m}"
MAX_TOKENS="${2:-64}"
REQUESTS="${3:-2}"
BIN="${KINGLET_BIN:-.build/release/kinglet}"
python3 -c "import openai" 2>/dev/null || python3 -m pip install --quiet openai
LOG="$(mktemp)"
"$BIN" serve --model "$MODEL" --port 0 --parallel 16 --queue 64 >"$LOG" 2>&1 &
PID=$!
trap 'kill -INT $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -f "$LOG"' EXIT
for _ in $(seq 1 600); do
    BASE="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$LOG" | tail -1 || true)"
    if grep -q "serving" "$LOG"; then break; fi
    sleep 0.1
done
grep -q "serving" "$LOG" || { cat "$LOG"; echo "server did not start"; exit 1; }
ID="$(python3 -c "import json,urllib.request; print(json.load(urllib.request.urlopen('$BASE/v1/models'))['data'][0]['id'])")"
cd Tests/ServerClients
python3 -u load_check.py "$BASE" "$ID" --clients 16 --requests "$REQUESTS" --max-tokens "$MAX_TOKENS" --measure 1,4,16 --deadline 900
