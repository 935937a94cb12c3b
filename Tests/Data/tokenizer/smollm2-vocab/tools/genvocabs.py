# llama.cpp's ids on llama.cpp's own vocab-only test GGUFs (models/ggml-vocab-*.gguf).
# usage: genvocabs.py MODELS_DIR OUT_DIR
import json, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gencases import HAND, case, detok, rand_cases, rand_wide, run

VOCABS = ["gpt-2", "llama-bpe", "qwen2", "starcoder", "refact", "command-r", "mpt", "llama-spm", "phi-3", "baichuan"]

def main():
    models, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    for name in VOCABS:
        model = os.path.join(models, f"ggml-vocab-{name}.gguf")
        inp = open(model + ".inp", encoding="utf-8").read().split("\n__ggml_vocab_test__\n") if os.path.exists(model + ".inp") else []
        texts = HAND + [t for t in inp if t not in HAND] + rand_cases(200, 99) + rand_wide(150, 98)
        ids = run(model, texts, [])
        raw = run(model, texts, ["--nospecial"])
        cases = [case(t, a, b, h) for t, a, b, h in zip(texts, ids, raw, detok(model, texts))]
        with open(os.path.join(out, f"{name}.json"), "w", encoding="utf-8") as f:
            f.write('{"vocab": %s,\n"producer": "llama.cpp 0c1e570, llama_tokenize(add_special: true, parse_special: true / false)",\n"cases": [\n' % json.dumps(name))
            f.write(",\n".join(json.dumps(c, ensure_ascii=True) for c in cases))
            f.write("\n]}\n")
        print(name, len(cases))

if __name__ == "__main__":
    main()
