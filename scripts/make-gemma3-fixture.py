#!/usr/bin/env python3
"""Writes the tiny random-weight gemma3 fixture (Tests/Data/architectures/gemma3/model.gguf)
with llama.cpp's own `gguf` package, then asks llama.cpp (scripts/llama-reference) for its
teacher-forced logits of a fixed sequence and a greedy continuation, which Kinglet's tests hold it to.

usage: scripts/make-gemma3-fixture.py [GGUF_PY] [LLAMA_REFERENCE]
  defaults: the gguf-py of the llama.cpp vendored in llama-cpp-python 0.3.36 under /tmp/llama,
  /tmp/llama/build/bin/llama-reference (scripts/llama-reference/build.sh).

Sizes are small but not round: D 64, 4 query heads over 2 KV heads of 32 (key_length != D/H),
FFN 96, vocabulary 512, 6 layers (layers 0-4 sliding, layer 5 global: llama.cpp's default pattern
for gemma3), a window of 8 over a sequence of 24, so local layers attend to a window shorter than
the sequence. Weight types mix
F32, F16 and Q8_0, as the real file mixes types; the output head is its own Q8_0 matrix.
"""
import json
import os
import subprocess
import sys

import numpy as np

GGUF_PY = sys.argv[1] if len(sys.argv) > 1 else "/tmp/llama/llama_cpp_python-0.3.36/vendor/llama.cpp/gguf-py"
REFERENCE = sys.argv[2] if len(sys.argv) > 2 else "/tmp/llama/build/bin/llama-reference"
sys.path.insert(0, GGUF_PY)
import gguf  # noqa: E402
from gguf.quants import quantize  # noqa: E402

OUT = os.environ.get("OUT") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Data", "architectures", "gemma3")
D, H, HKV, DH, F, V, L, WINDOW, CTX = 64, 4, 2, 32, 96, 512, 6, 8, 128
# Weight types of: embedding, attn_q, attn_k, attn_v, attn_output, ffn_gate, ffn_up, ffn_down.
TYPES = ["q8_0", "f16", "f16", "q8_0", "f32", "q8_0", "q8_0", "f16"]
SEQUENCE = 24
GENERATE = 16
MIN_MARGIN = 0.1  # greedy steps closer than this are rounding ties, not a test of the model

rng = np.random.default_rng(20251205)


def matrix(rows, cols):
    """[rows, cols], unit-variance outputs for unit-variance inputs."""
    return (rng.uniform(-1, 1, size=(rows, cols)) * np.sqrt(3 / cols)).astype(np.float32)


def norm(n):
    """RMSNorm weights as llama.cpp's converter stores them (Gemma's +1 already added)."""
    return (1 + 0.2 * rng.uniform(-1, 1, size=n)).astype(np.float32)


def add(w, name, values, qtype):
    if qtype == "f32":
        w.add_tensor(name, values.astype(np.float32))
    elif qtype == "f16":
        w.add_tensor(name, values.astype(np.float16))
    else:
        q = quantize(values, gguf.GGMLQuantizationType.Q8_0)
        w.add_tensor(name, q, raw_shape=q.shape, raw_dtype=gguf.GGMLQuantizationType.Q8_0)


def write(path):
    w = gguf.GGUFWriter(path, "gemma3")
    w.add_name("tiny random gemma3 (Kinglet test fixture)")
    w.add_context_length(CTX)
    w.add_embedding_length(D)
    w.add_block_count(L)
    w.add_feed_forward_length(F)
    w.add_head_count(H)
    w.add_head_count_kv(HKV)
    w.add_key_length(DH)
    w.add_value_length(DH)
    w.add_layer_norm_rms_eps(1e-6)
    w.add_rope_freq_base(1_000_000.0)
    w.add_sliding_window(WINDOW)
    w.add_vocab_size(V)
    w.add_tokenizer_model("none")  # no tokenizer: the tests feed token ids

    # Small embeddings (times √D = 8 they are O(1)), as trained Gemma's are, so the blocks move the
    # residual stream and the untied head's greedy continuation is not the input token repeated.
    add(w, "token_embd.weight", rng.uniform(-0.2, 0.2, size=(V, D)).astype(np.float32), TYPES[0])
    for i in range(L):
        p = f"blk.{i}."
        add(w, p + "attn_norm.weight", norm(D), "f32")
        add(w, p + "attn_q.weight", matrix(H * DH, D), TYPES[1])
        add(w, p + "attn_k.weight", matrix(HKV * DH, D), TYPES[2])
        add(w, p + "attn_v.weight", matrix(HKV * DH, D), TYPES[3])
        add(w, p + "attn_q_norm.weight", norm(DH), "f32")
        add(w, p + "attn_k_norm.weight", norm(DH), "f32")
        add(w, p + "attn_output.weight", matrix(D, H * DH), TYPES[4])
        add(w, p + "post_attention_norm.weight", norm(D), "f32")
        add(w, p + "ffn_norm.weight", norm(D), "f32")
        add(w, p + "ffn_gate.weight", matrix(F, D), TYPES[5])
        add(w, p + "ffn_up.weight", matrix(F, D), TYPES[6])
        add(w, p + "ffn_down.weight", matrix(D, F), TYPES[7])
        add(w, p + "post_ffw_norm.weight", norm(D), "f32")
    add(w, "output_norm.weight", norm(D), "f32")
    add(w, "output.weight", matrix(V, D), "q8_0")

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def main():
    os.makedirs(OUT, exist_ok=True)
    model = os.path.join(OUT, "model.gguf")
    write(model)
    # The first seeded sequence whose greedy continuation has no near-tie and is not one token
    # repeated. llama-reference's `generate` needs a vocabulary for the pieces, which this file
    # lacks: each greedy step is the argmax of a teacher-forced pass over the sequence so far.
    tmp = os.path.join(OUT, "greedy.tmp")

    def last_logits(seq):
        subprocess.run([REFERENCE, "logits", "-m", model, "--ids", " ".join(map(str, seq)), "--out", tmp],
                       check=True, capture_output=True)
        return np.fromfile(tmp, dtype="<f4").reshape(len(seq), V)[-1]

    for attempt in range(100):
        tokens = [int(t) for t in rng.integers(0, V, size=SEQUENCE)]
        seq, margins = list(tokens), []
        for _ in range(GENERATE):
            last = last_logits(seq)
            order = np.argsort(-last, kind="stable")
            margins.append(float(last[order[0]] - last[order[1]]))
            seq.append(int(order[0]))
        if min(margins) >= MIN_MARGIN and len(set(seq[SEQUENCE:])) >= 4:
            break
    else:
        sys.exit("no sequence without near-ties in 100 tries")
    os.remove(tmp)
    out = subprocess.run([REFERENCE, "logits", "-m", model, "--ids", " ".join(map(str, tokens)),
                          "--out", os.path.join(OUT, "logits.f32")], check=True, capture_output=True, text=True).stdout
    assert json.loads(out) == {"positions": SEQUENCE, "vocab": V}, out
    with open(os.path.join(OUT, "reference.json"), "w") as f:
        json.dump({"tokens": tokens, "positions": SEQUENCE, "vocab": V, "logits_file": "logits.f32",
                   "prompt_ids": tokens, "generated_ids": seq[SEQUENCE:],
                   "top2_margins": [round(m, 5) for m in margins]}, f, indent=1)
    print(f"sequence {attempt}: generated {seq[SEQUENCE:]}, smallest top-2 margin {min(margins):.4f}")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
