#!/usr/bin/env bash
# Proves that `kinglet export` writes files llama.cpp loads and runs: makes a tiny checkpoint with
# the real SmolLM2 tokenizer metadata and random weights (scripts/make-test-checkpoint.py, gguf-py),
# exports it as f32, f16, q8_0 and q4_0, and runs each with llama.cpp's llama-simple and with
# `kinglet run` (greedy, 8 tokens), and compares the two texts. A dev check: needs numpy,
# gguf-py and a llama.cpp build.
#
# usage: scripts/check-export-llamacpp.sh
#   env: MODEL (tokenizer source), LLAMA_BIN (folder with llama-simple), GGUF_PY
set -euo pipefail
MODEL=${MODEL:-/tmp/kh/models/smollm2-135m/SmolLM2-135M-Instruct.Q4_1.gguf}
LLAMA_BIN=${LLAMA_BIN:-/tmp/llama/build/bin}
cd "$(dirname "$0")/.."
KINGLET_LEAN=1 swift build -c release --product kinglet >&2
KINGLET=$(KINGLET_LEAN=1 swift build -c release --show-bin-path)/kinglet
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

python3 scripts/make-test-checkpoint.py "$MODEL" "$WORK/checkpoint.gguf"
failed=0
for type in f32 f16 q8_0 q4_0; do
  out="$WORK/student-$type.gguf"
  "$KINGLET" export "$WORK" --out "$out" --type "$type"
  if LD_LIBRARY_PATH="$LLAMA_BIN" "$LLAMA_BIN/llama-simple" -m "$out" -n 8 "Hello" > "$WORK/llama-$type.txt" 2> "$WORK/llama-$type.log"; then
    llama=$(tr '\n' ' ' < "$WORK/llama-$type.txt")
    echo "llama.cpp $type: ok: $llama"
  else
    echo "llama.cpp $type: FAILED"; tail -5 "$WORK/llama-$type.log"; failed=1
  fi
  grep -E "file type|model params|n_vocab|type +(f32|f16|q8_0|q4_0)" "$WORK/llama-$type.log" | sed 's/^/    /' || true
  kinglet=$("$KINGLET" run -m "$out" --raw --temperature 0 --max-tokens 8 "Hello" 2>/dev/null | tr '\n' ' ') || { echo "kinglet $type: FAILED"; failed=1; }
  echo "kinglet   $type: ok: Hello$kinglet"
  # Greedy decoding of the same file: the two engines should agree token for token.
  trim() { sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' <<< "$1"; }
  if [ "$(trim "Hello$kinglet")" = "$(trim "${llama:-}")" ]; then
    echo "  same text from both engines"
  else
    echo "  the engines' texts differ (ties between near-equal logits can do this)"
  fi
done
exit $failed
