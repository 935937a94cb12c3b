#!/usr/bin/env bash
# Regenerates the quantize test fixtures from llama.cpp (run only when the reference changes):
#   Tests/Data/quant/weight-quant-golden.bin   ggml's quantize_row_*_ref on crafted rows
#                                              (scripts/weight-quant-golden.c, linked to ggml-base)
#   Tests/Data/quantize/tiny-llama-f32.gguf    a tiny F32 llama (scripts/make-quantize-model.py)
#   Tests/Data/quantize/llama-quantize.json    for each type, what llama-quantize made of it:
#                                              the file's sha256 and each tensor's type and sha256
#                                              (the files themselves are not committed)
#
#   LLAMA_CPP=/path/to/llama.cpp LLAMA_BUILD=/path/to/build scripts/make-quantize-fixtures.sh
# needs: a C compiler, python3 with numpy, llama.cpp built with the llama-quantize target.
set -euo pipefail
cd "$(dirname "$0")/.."
LLAMA_CPP=${LLAMA_CPP:-/tmp/llama/llama_cpp_python-0.3.36/vendor/llama.cpp}
LLAMA_BUILD=${LLAMA_BUILD:-/tmp/llama/build}
export GGUF_PY=$LLAMA_CPP/gguf-py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cc -O2 -I"$LLAMA_CPP/ggml/include" -I"$LLAMA_CPP/ggml/src" scripts/weight-quant-golden.c \
   "$LLAMA_BUILD/ggml/src/libggml-base.a" -lm -lpthread -fopenmp -lstdc++ -o "$work/golden"
"$work/golden" > Tests/Data/quant/weight-quant-golden.bin

mkdir -p Tests/Data/quantize
model=Tests/Data/quantize/tiny-llama-f32.gguf
python3 scripts/make-quantize-model.py "$model"
types="F32 F16 BF16 Q8_0 Q4_0 Q4_1 Q5_0 Q5_1 Q2_K Q3_K_S Q3_K_M Q3_K_L Q4_K_S Q4_K_M Q5_K_S Q5_K_M Q6_K"
for t in $types; do
  "$LLAMA_BUILD/bin/llama-quantize" "$model" "$work/$t.gguf" "$t" > "$work/$t.log" 2>&1 || { cat "$work/$t.log"; exit 1; }
done
# Requantization: the F16 file (itself checked above) quantized again.
"$LLAMA_BUILD/bin/llama-quantize" --allow-requantize "$work/F16.gguf" "$work/F16-Q4_K_M.gguf" Q4_K_M > "$work/rq.log" 2>&1 || { cat "$work/rq.log"; exit 1; }
python3 - "$work" $types F16-Q4_K_M > Tests/Data/quantize/llama-quantize.json <<'PY'
import hashlib, json, os, sys
sys.path.insert(0, os.environ["GGUF_PY"])
from gguf import GGUFReader
work, names = sys.argv[1], sys.argv[2:]
out = {}
for name in names:
    path = f"{work}/{name}.gguf"
    r = GGUFReader(path)
    out[name] = {
        "sha256": hashlib.sha256(open(path, "rb").read()).hexdigest(),
        "tensors": {t.name: [t.tensor_type.name, hashlib.sha256(bytes(t.data.tobytes())).hexdigest()] for t in r.tensors},
    }
json.dump(out, sys.stdout, indent=1, sort_keys=True)
print()
PY
echo "wrote $model ($(wc -c < "$model") bytes) and Tests/Data/quantize/llama-quantize.json"
