#!/usr/bin/env bash
# Kinglet against any number of llama-bench executables (llama.cpp, ik_llama.cpp, ...) on the same
# model, threads and machine, run alternately so that drift and other load hit all alike. Prints one
# table with every engine's t/s and Kinglet's ratio to each, Kinglet's fraction of the memory-bandwidth
# bound at tg, and each engine's peak RSS over a pp+tg bench run (the median of RSS_RUNS).
#
# usage: scripts/bench-vs-llamacpp.sh [NAME=]/path/to/llama-bench [[NAME=]/path/to/llama-bench ...] MODEL.gguf [threads...]
#   e.g. scripts/bench-vs-llamacpp.sh llama.cpp=/tmp/llama/build/bin/llama-bench ik=/work/ik/build/bin/llama-bench model.gguf 1 2
#   A reference without NAME= is called llama.cpp (the first) or ref2, ref3, ...; a reference named
#   kinglet* (another Kinglet build, e.g. before a change) is run as `kinglet bench`.
#   env: ROUNDS (default 2) alternations; REPS (default 5) repetitions per run; P (512); N (128);
#        RSS_RUNS (default 5) peak-RSS runs per engine, alternated;
#        KINGLET, a kinglet executable to use as it is (default: build .build/release/kinglet)
set -euo pipefail
usage="usage: $0 [NAME=]/path/to/llama-bench [...] MODEL.gguf [threads...]"
NAMES=(); BENCHES=()
while [ $# -gt 0 ] && [[ "$1" != *.gguf ]]; do
  arg=$1; shift
  if [[ "$arg" == *=* ]]; then name=${arg%%=*}; path=${arg#*=}; else name=""; path=$arg; fi
  [ -n "$name" ] || { [ ${#NAMES[@]} -eq 0 ] && name=llama.cpp || name=ref$(( ${#NAMES[@]} + 1 )); }
  [ -x "$path" ] || { echo "not an executable: $path" >&2; echo "$usage" >&2; exit 2; }
  [[ "$name" =~ ^[A-Za-z0-9._]+$ ]] || { echo "engine names take letters, digits, '.' and '_': $name" >&2; exit 2; }
  NAMES+=("$name"); BENCHES+=("$path")
done
[ ${#BENCHES[@]} -ge 1 ] || { echo "$usage" >&2; exit 2; }
MODEL=${1:?$usage}; shift
[ -f "$MODEL" ] || { echo "no such model file: $MODEL" >&2; exit 2; }
THREADS=("$@"); [ ${#THREADS[@]} -eq 0 ] && THREADS=(1 2)
ROUNDS=${ROUNDS:-2}; REPS=${REPS:-5}; P=${P:-512}; N=${N:-128}
cd "$(dirname "$0")/.."
if [ -z "${KINGLET:-}" ]; then
  swift build -c release --product kinglet >&2
  KINGLET=.build/release/kinglet
fi
[ -x "$KINGLET" ] || { echo "not an executable: $KINGLET" >&2; exit 2; }
OUT=$(mktemp -d); trap 'rm -rf "$OUT"' EXIT
# CMD: the command line of a reference: llama-bench, or another Kinglet build's bench command.
refcmd() { case "$(basename "$1")" in kinglet*) CMD=("$1" bench --no-bandwidth) ;; *) CMD=("$1") ;; esac; }

for t in "${THREADS[@]}"; do
  for round in $(seq 1 "$ROUNDS"); do
    for i in "${!BENCHES[@]}"; do
      echo "threads $t, round $round: ${NAMES[$i]}" >&2
      refcmd "${BENCHES[$i]}"
      "${CMD[@]}" -m "$MODEL" -t "$t" -r "$REPS" -p "$P" -n "$N" -o json 2>/dev/null > "$OUT/${NAMES[$i]}~$t~$round.json"
    done
    echo "threads $t, round $round: kinglet" >&2
    "$KINGLET" bench -m "$MODEL" -t "$t" -r "$REPS" -p "$P" -n "$N" -o json > "$OUT/kinglet~$t~$round.json"
  done
done

# Peak RSS of a bench run (-r 1, the same tests) of every engine, on the last thread count:
# RSS_RUNS runs each, engines alternated, the median reported. One run is not enough: where the
# allocator's arenas land varies from run to run (a few MB either way for Kinglet).
if [ -x /usr/bin/time ]; then
  rss() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident/ {print $2}'; }
  t=${THREADS[-1]}
  for run in $(seq 1 "${RSS_RUNS:-5}"); do
    for i in "${!BENCHES[@]}"; do refcmd "${BENCHES[$i]}"; rss "${CMD[@]}" -m "$MODEL" -t "$t" -r 1 -p "$P" -n "$N" >> "$OUT/${NAMES[$i]}.rss"; done
    rss "$KINGLET" bench -m "$MODEL" -t "$t" -r 1 -p "$P" -n "$N" --no-bandwidth >> "$OUT/kinglet.rss"
  done
fi

python3 - "$OUT" "${NAMES[@]}" <<'PY'
import glob, json, os, statistics, sys
out, refs = sys.argv[1], sys.argv[2:]
rows, fraction = {}, {}
for path in sorted(glob.glob(os.path.join(out, '*.json'))):
    engine, t, _ = os.path.basename(path)[:-5].split('~')
    for r in json.load(open(path)):
        test = r.get('test') or ('pp%d' % r['n_prompt'] if r.get('n_prompt') else 'tg%d' % r['n_gen'])
        samples = r.get('samples_ts') or [r['avg_ts']]
        rows.setdefault((test, int(t)), {}).setdefault(engine, []).extend(samples)
        if 'bandwidth_fraction' in r:
            fraction.setdefault((test, int(t)), []).append((r['bandwidth_fraction'], r['bandwidth_bound_ts']))
def cell(v):
    if not v: return '–'
    return f'{statistics.mean(v):.1f} ± {statistics.stdev(v) if len(v) > 1 else 0:.1f}'
engines = refs + ['kinglet']
print('| test | threads | ' + ' | '.join(f'{e} t/s' for e in engines) + ' | '
      + ' | '.join(f'kinglet / {r}' for r in refs) + ' | kinglet / bandwidth bound |')
print('| --- | ---: | ' + ' | '.join('---:' for _ in engines) + ' | ' + ' | '.join('---:' for _ in refs) + ' | ---: |')
for (test, t) in sorted(rows, key=lambda k: (k[0][:2] != 'pp', k[1])):
    r = rows[(test, t)]
    k = r.get('kinglet', [])
    ratios = [f'{statistics.mean(k) / statistics.mean(r[e]):.2f}×' if k and r.get(e) else '–' for e in refs]
    f = fraction.get((test, t))
    bound = f'{100 * statistics.mean(x for x, _ in f):.0f}% of {statistics.mean(b for _, b in f):.0f} t/s' if f else ''
    print(f'| {test} | {t} | ' + ' | '.join(cell(r.get(e, [])) for e in engines) + ' | ' + ' | '.join(ratios) + f' | {bound} |')
rss, runs = [], 0
for e in engines:
    p = os.path.join(out, e + '.rss')
    kib = [int(x) for x in open(p).read().split()] if os.path.exists(p) else []
    if kib:
        runs = len(kib)
        rss.append(f'{e} {statistics.median(kib) / 1024:.1f} MiB ({min(kib) / 1024:.1f}–{max(kib) / 1024:.1f})')
if rss:
    print(f'\npeak RSS of a bench run (-r 1), median of {runs} alternated (range): ' + ', '.join(rss))
PY
