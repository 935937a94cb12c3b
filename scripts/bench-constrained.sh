#!/usr/bin/env bash
# Decode speed with and without a constraint (issue 15's bar: constrained ≥ 0.9× unconstrained).
# Runs `kinglet run --verbose` greedily on the same chat prompt, alternating unconstrained, --json
# (llama.cpp's JSON grammar) and --json-schema (a 40-item array of objects), ROUNDS times, and
# prints each one's generation tokens/s (mean over rounds) and its ratio to the unconstrained.
#   scripts/bench-constrained.sh [--kinglet PATH] [--model M] [--rounds 3] [--tokens 128]
set -euo pipefail
cd "$(dirname "$0")/.."
kinglet=.build/release/kinglet model=smollm2-135m rounds=3 tokens=128
while [ $# -gt 0 ]; do
  case "$1" in
    --kinglet) kinglet=$2; shift 2 ;; --model) model=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;; --tokens) tokens=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
schema=$(mktemp --suffix=.json)
trap 'rm -f "$schema"' EXIT
cat > "$schema" <<'JSON'
{"type": "array", "minItems": 40, "maxItems": 40,
 "items": {"type": "object", "properties": {"city": {"type": "string", "maxLength": 24},
                                            "country": {"type": "string", "maxLength": 24},
                                            "population": {"type": "integer", "minimum": 0}},
           "required": ["city", "country", "population"], "additionalProperties": false}}
JSON
prompt="List forty cities of the world with their country and population, as JSON."
declare -A sum count
for r in $(seq "$rounds"); do
  for mode in none json schema; do
    args=()
    [ "$mode" = json ] && args=(--json)
    [ "$mode" = schema ] && args=(--json-schema "$schema")
    line=$("$kinglet" run --model "$model" --verbose --temperature 0 --max-tokens "$tokens" "${args[@]}" "$prompt" 2>&1 >/dev/null | grep -o 'generation: [0-9]* tokens, [0-9.]* tokens/s' | tail -1)
    n=$(echo "$line" | awk '{print $2}'); tps=$(echo "$line" | awk '{print $4}')
    echo "round $r $mode: $n tokens, $tps tokens/s"
    sum[$mode]=$(python3 -c "print(${sum[$mode]:-0} + $tps)"); count[$mode]=$(( ${count[$mode]:-0} + 1 ))
  done
done
base=$(python3 -c "print(${sum[none]} / ${count[none]})")
for mode in none json schema; do
  python3 -c "m=${sum[$mode]}/${count[$mode]}; print(f'$mode: {m:.1f} tokens/s, {m/$base:.2f}x unconstrained')"
done
