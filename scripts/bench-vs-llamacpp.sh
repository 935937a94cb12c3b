#!/usr/bin/env bash
# Kinglet vs llama.cpp on the same model, threads and machine, run alternately so that drift
# and other load hit both alike. Prints a ratio table (Kinglet / llama.cpp) and peak RSS.
#
# usage: scripts/bench-vs-llamacpp.sh /path/to/llama-bench /path/to/model.gguf [threads...]
#   env: ROUNDS (default 2) alternations; REPS (default 5) repetitions per run; P (512); N (128)
# llama-simple next to llama-bench, if present, is used for the peak-RSS comparison.
set -euo pipefail
LLAMA_BENCH=${1:?usage: $0 /path/to/llama-bench /path/to/model.gguf [threads...]}
MODEL=${2:?usage: $0 /path/to/llama-bench /path/to/model.gguf [threads...]}
shift 2
THREADS=("${@:-1 2}")
[ $# -eq 0 ] && THREADS=(1 2)
ROUNDS=${ROUNDS:-2}; REPS=${REPS:-5}; P=${P:-512}; N=${N:-128}
cd "$(dirname "$0")/.."
swift build -c release --product kinglet >&2
KINGLET=.build/release/kinglet
OUT=$(mktemp -d)

for t in "${THREADS[@]}"; do
  for round in $(seq 1 "$ROUNDS"); do
    echo "threads $t, round $round: llama.cpp" >&2
    "$LLAMA_BENCH" -m "$MODEL" -t "$t" -r "$REPS" -p "$P" -n "$N" -o json 2>/dev/null > "$OUT/llama-$t-$round.json"
    echo "threads $t, round $round: kinglet" >&2
    "$KINGLET" bench -m "$MODEL" -t "$t" -r "$REPS" -p "$P" -n "$N" -o json > "$OUT/kinglet-$t-$round.json"
  done
done

python3 - "$OUT" <<'PY'
import glob, json, os, statistics, sys
out = sys.argv[1]
rows = {}
for path in sorted(glob.glob(os.path.join(out, '*.json'))):
    engine, t, _ = os.path.basename(path)[:-5].split('-')
    for r in json.load(open(path)):
        test = r.get('test') or ('pp%d' % r['n_prompt'] if r.get('n_prompt') else 'tg%d' % r['n_gen'])
        samples = r.get('samples_ts') or [r['avg_ts']]
        rows.setdefault((test, int(t)), {}).setdefault(engine, []).extend(samples)
print('| test | threads | llama.cpp t/s | kinglet t/s | ratio |')
print('| --- | ---: | ---: | ---: | ---: |')
for (test, t) in sorted(rows, key=lambda k: (k[0][:2] != 'pp', k[1])):
    l, k = rows[(test, t)].get('llama', []), rows[(test, t)].get('kinglet', [])
    if not l or not k: continue
    ml, mk = statistics.mean(l), statistics.mean(k)
    sl = statistics.stdev(l) if len(l) > 1 else 0
    sk = statistics.stdev(k) if len(k) > 1 else 0
    print(f'| {test} | {t} | {ml:.1f} ± {sl:.1f} | {mk:.1f} ± {sk:.1f} | {mk / ml:.2f}× |')
PY

SIMPLE="$(dirname "$LLAMA_BENCH")/llama-simple"
if [ -x "$SIMPLE" ] && [ -x /usr/bin/time ]; then
  rss() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident/ {print $2}'; }
  PROMPT="The capital of France is"
  l=$(rss "$SIMPLE" -m "$MODEL" -n 64 "$PROMPT")
  k=$(rss "$KINGLET" run --model "$MODEL" --raw --temperature 0 --max-tokens 64 -t 2 "$PROMPT")
  echo
  echo "peak RSS, 64-token generation: llama.cpp (llama-simple) ${l} KiB, kinglet ${k} KiB"
fi
rm -rf "$OUT"
