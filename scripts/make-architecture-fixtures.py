#!/usr/bin/env python3
"""Tiny random-weight GGUFs of the architectures Kinglet runs, and llama.cpp's outputs on them.

For each family (qwen2, qwen3, phi3, llama with Llama 3 RoPE scaling) this writes, under
Tests/Data/architectures/<family>/:
  model.gguf       3 layers, grouped-query attention, odd sizes, F32 norms and biases, weights in a
                   mix of F32 / F16 / Q8_0, and a real vocabulary cut to its first tokens (plus the
                   family's special tokens) from llama.cpp's vocab-only GGUFs (models/ggml-vocab-*.gguf)
  logits.f32       llama.cpp's logits for every position of a 24-token sequence, evaluated in one
                   batch: raw little-endian float32 [positions, vocab]
  linear4-logits.f32  (llama only) the same logits with `llama.rope.scaling.type = linear`, factor 4
  reference.json   that sequence (`tokens`), and llama.cpp's greedy continuation of it, 16 tokens
                   (`generated_ids`, `top2_margins`), as Tests/KingletTestSupport/ArchitectureFixture.swift reads

usage: PYTHONPATH=$LLAMA_SRC/gguf-py scripts/make-architecture-fixtures.py \
           [--llama-src DIR] [--runner PATH] [--out DIR] [family ...]
The runner is scripts/llama-reference (build it with scripts/llama-reference/build.sh).
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

DEFAULT_SRC = "/tmp/llama/llama_cpp_python-0.3.36/vendor/llama.cpp"
sys.path.insert(0, os.path.join(os.environ.get("LLAMA_SRC", DEFAULT_SRC), "gguf-py"))
import gguf  # noqa: E402
from gguf import GGMLQuantizationType as Q  # noqa: E402

# Hyper-parameters per family. Weight types rotate per layer through `types` so every kind of
# matrix meets every type somewhere.
FAMILIES = {
    # Qwen 2.5: Q/K/V biases, NEOX RoPE, output tied to the embedding.
    "qwen2": dict(vocab="qwen2", keep=997, specials=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
                  bos=None, eos="<|endoftext|>", d=96, heads=6, kv_heads=2, head_dim=16, ff=224,
                  rope_base=1000000.0, eps=1e-6, tied=True, seed=2),
    # Qwen 3: per-head RMSNorm of Q and K, no biases, head size independent of D (H·Dh = 192 ≠ D).
    "qwen3": dict(vocab="qwen2", keep=1001, specials=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
                  bos=None, eos="<|im_end|>", d=160, heads=6, kv_heads=2, head_dim=32, ff=224,
                  rope_base=1000000.0, eps=1e-6, tied=False, seed=3),
    # Phi 3.5: fused attn_qkv [D, H·Dh + 2·Hkv·Dh] and fused ffn_up [D, 2F] (gate rows first), NEOX
    # RoPE with LongRoPE factors (rope_factors_short/long) and attn_factor, written as the converter
    # does (no rope.scaling.type). The original context (32) is below any context llama.cpp or the
    # test runs with, so both use the long factors.
    "phi3": dict(vocab="phi-3", keep=1100, specials=["<|endoftext|>", "<|assistant|>", "<|end|>", "<|user|>"],
                 bos="<s>", eos="<|endoftext|>", d=96, heads=6, kv_heads=2, head_dim=16, ff=224,
                 rope_base=10000.0, eps=1e-5, tied=False, seed=4, longrope_original_context=32),
    # Llama 3.x: rope_freqs.weight holds per-frequency factors (the converter's "llama3" rope type),
    # computed here with a short original context so that every branch of the formula is used.
    "llama": dict(vocab="llama-bpe", keep=1200, specials=["<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>"],
                  bos="<|begin_of_text|>", eos="<|end_of_text|>", d=160, heads=5, kv_heads=1, head_dim=32,
                  ff=224, rope_base=10000.0, eps=1e-5, tied=False, seed=5,
                  llama3_rope=dict(factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0, original_context=32)),
}
LAYERS = 3
CONTEXT = 128
SEQUENCE = 24
GENERATE = 16
MIN_MARGIN = 0.1
LINEAR_FACTOR = 4.0


def read_vocab(src, name):
    r = gguf.GGUFReader(os.path.join(src, "models", f"ggml-vocab-{name}.gguf"))
    f = {k: v.contents() for k, v in r.fields.items() if k.startswith("tokenizer.ggml.")}
    return f


def cut_vocab(v, keep, specials):
    """The first `keep` tokens and the named special tokens (renumbered after them); merges whose
    parts and result all survive."""
    tokens = v["tokenizer.ggml.tokens"]
    types = v["tokenizer.ggml.token_type"]
    scores = v.get("tokenizer.ggml.scores")
    index = {t: i for i, t in enumerate(tokens)}
    chosen = list(range(keep)) + [index[s] for s in specials if index[s] >= keep]
    out = dict(tokens=[tokens[i] for i in chosen], types=[types[i] for i in chosen],
               scores=[scores[i] for i in chosen] if scores is not None else None)
    kept = set(out["tokens"])
    if "tokenizer.ggml.merges" in v:
        out["merges"] = [m for m in v["tokenizer.ggml.merges"]
                         if all(p in kept for p in m.split(" ")) and m.replace(" ", "") in kept]
    return out


def llama3_rope_factors(base, dim, factor, low_freq_factor, high_freq_factor, original_context):
    """As convert_hf_to_gguf (conversion/llama.py, rope_type "llama3"), in float32 like torch."""
    freqs = (1.0 / (np.float32(base) ** (np.arange(0, dim, 2, dtype=np.float32) / np.float32(dim)))).astype(np.float32)
    low_wavelen = original_context / low_freq_factor
    high_wavelen = original_context / high_freq_factor
    out = []
    for freq in freqs:
        wavelen = 2 * np.pi / float(freq)
        if wavelen < high_wavelen:
            out.append(1.0)
        elif wavelen > low_wavelen:
            out.append(factor)
        else:
            smooth = (original_context / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
            out.append(1 / ((1 - smooth) / factor + smooth))
    return np.array(out, dtype=np.float32)


def build(family, spec, src, path, linear_scaling=None):
    rng = np.random.default_rng(spec["seed"])
    d, H, Hkv, Dh, F = spec["d"], spec["heads"], spec["kv_heads"], spec["head_dim"], spec["ff"]
    q_dim, kv_dim = H * Dh, Hkv * Dh
    vocab = cut_vocab(read_vocab(src, spec["vocab"]), spec["keep"], spec["specials"])
    V = len(vocab["tokens"])
    index = {t: i for i, t in enumerate(vocab["tokens"])}

    w = gguf.GGUFWriter(path, family)
    w.add_name(f"kinglet-tiny-{family}")
    w.add_block_count(LAYERS)
    w.add_context_length(CONTEXT)
    w.add_embedding_length(d)
    w.add_feed_forward_length(F)
    w.add_head_count(H)
    w.add_head_count_kv(Hkv)
    if Dh != d // H:
        w.add_key_length(Dh)
        w.add_value_length(Dh)
    w.add_rope_dimension_count(Dh)
    w.add_rope_freq_base(spec["rope_base"])
    if linear_scaling is not None:
        w.add_rope_scaling_type(gguf.RopeScalingType.LINEAR)
        w.add_rope_scaling_factor(linear_scaling)
    w.add_layer_norm_rms_eps(spec["eps"])
    w.add_vocab_size(V)
    w.add_file_type(gguf.LlamaFileType.MOSTLY_Q8_0)
    raw = read_vocab(src, spec["vocab"])
    w.add_tokenizer_model(raw["tokenizer.ggml.model"])
    w.add_tokenizer_pre(raw.get("tokenizer.ggml.pre", "default"))
    w.add_token_list(vocab["tokens"])
    w.add_token_types(vocab["types"])
    if vocab["scores"] is not None:
        w.add_token_scores(vocab["scores"])
    if "merges" in vocab:
        w.add_token_merges(vocab["merges"])
    if spec["bos"] is not None:
        w.add_bos_token_id(index[spec["bos"]])
        w.add_add_bos_token(True)
    else:
        w.add_bos_token_id(index[spec["eos"]])
        w.add_add_bos_token(False)
    w.add_eos_token_id(index[spec["eos"]])

    def normal(*shape, scale):
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    def add(name, data, qtype):
        """data: numpy [rows, cols] (ggml dims reversed) or [n]."""
        if qtype == Q.F32:
            w.add_tensor(name, data.astype(np.float32))
        elif qtype == Q.F16:
            w.add_tensor(name, data.astype(np.float16))
        else:
            w.add_tensor(name, gguf.quants.quantize(data, qtype), raw_dtype=qtype)

    def norm(n):  # F32 norm weights around 1
        return (1 + 0.2 * rng.standard_normal(n)).astype(np.float32)

    types = [Q.F16, Q.Q8_0, Q.F32]
    # The blocks' share of the residual stream: a tied head with small block outputs mostly
    # predicts the input token again, so qwen2 (tied) gets a larger share.
    gain = 3.0 if spec["tied"] else 1.0
    # A tied head reads logits off the embedding: keep their spread near the untied head's.
    add("token_embd.weight", normal(V, d, scale=0.35 if spec["tied"] else 1.0), Q.F16)
    if "llama3_rope" in spec:
        r = spec["llama3_rope"]
        add("rope_freqs.weight", llama3_rope_factors(spec["rope_base"], Dh, r["factor"], r["low_freq_factor"],
                                                     r["high_freq_factor"], r["original_context"]), Q.F32)
    if "longrope_original_context" in spec:
        orig = spec["longrope_original_context"]
        scale = CONTEXT / orig
        w.add_rope_scaling_orig_ctx_len(orig)
        w.add_rope_scaling_attn_factors(float(np.sqrt(1 + np.log(scale) / np.log(orig))))  # as conversion/phi.py
        n = Dh // 2
        add("rope_factors_long.weight", np.geomspace(1, 24, n).astype(np.float32) * (1 + 0.1 * rng.random(n, dtype=np.float32)), Q.F32)
        add("rope_factors_short.weight", (1 + 0.2 * rng.random(n, dtype=np.float32)), Q.F32)
    for l in range(LAYERS):
        t = lambda k: types[(l + k) % 3]  # noqa: E731
        p = f"blk.{l}."
        add(p + "attn_norm.weight", norm(d), Q.F32)
        wq, wk, wv = normal(q_dim, d, scale=d ** -0.5), normal(kv_dim, d, scale=d ** -0.5), normal(kv_dim, d, scale=d ** -0.5)
        if family == "phi3":
            add(p + "attn_qkv.weight", np.concatenate([wq, wk, wv]), t(1))
        else:
            add(p + "attn_q.weight", wq, t(0))
            add(p + "attn_k.weight", wk, t(1))
            add(p + "attn_v.weight", wv, t(2))
        if family == "qwen2":
            add(p + "attn_q.bias", normal(q_dim, scale=0.5), Q.F32)
            add(p + "attn_k.bias", normal(kv_dim, scale=0.5), Q.F32)
            add(p + "attn_v.bias", normal(kv_dim, scale=0.5), Q.F32)
        if family == "qwen3":
            add(p + "attn_q_norm.weight", norm(Dh), Q.F32)
            add(p + "attn_k_norm.weight", norm(Dh), Q.F32)
        add(p + "attn_output.weight", normal(d, q_dim, scale=gain * q_dim ** -0.5), t(1))
        add(p + "ffn_norm.weight", norm(d), Q.F32)
        gate, up = normal(F, d, scale=d ** -0.5), normal(F, d, scale=d ** -0.5)
        if family == "phi3":
            add(p + "ffn_up.weight", np.concatenate([gate, up]), t(2))
        else:
            add(p + "ffn_gate.weight", gate, t(0))
            add(p + "ffn_up.weight", up, t(1))
        add(p + "ffn_down.weight", normal(d, F, scale=gain * F ** -0.5), t(2))
    add("output_norm.weight", norm(d), Q.F32)
    if not spec["tied"]:
        add("output.weight", normal(V, d, scale=0.35), Q.Q8_0)

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()

    return V, index


def sequence(spec, index, attempt):
    """The teacher-forced token ids: BOS where the family adds one, then regular tokens."""
    rng = np.random.default_rng([spec["seed"], attempt])
    ids = [int(i) for i in rng.integers(0, spec["keep"], SEQUENCE)]
    if spec["bos"] is not None:
        ids[0] = index[spec["bos"]]
    return ids


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--llama-src", default=os.environ.get("LLAMA_SRC", DEFAULT_SRC))
    ap.add_argument("--runner", default="/tmp/llama/build/bin/llama-reference")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "Tests", "Data", "architectures"))
    ap.add_argument("--models-only", action="store_true", help="write the GGUFs, do not run llama.cpp")
    ap.add_argument("families", nargs="*", default=list(FAMILIES))
    a = ap.parse_args()
    for family in a.families:
        spec = FAMILIES[family]
        d = os.path.join(a.out, family)
        os.makedirs(d, exist_ok=True)
        model = os.path.join(d, "model.gguf")
        V, index = build(family, spec, a.llama_src, model)
        if a.models_only:
            print(f"{family}: {os.path.getsize(model)} bytes, V={V}")
            continue
        # The first sequence whose greedy continuation has no near-tie (top-two margin under
        # MIN_MARGIN at any step: a tie would test the two engines' rounding, not the model) and
        # is not one token repeated.
        for attempt in range(100):
            ids = sequence(spec, index, attempt)
            ids_arg = " ".join(map(str, ids))
            gen = json.loads(subprocess.run([a.runner, "generate", "-m", model, "--ids", ids_arg, "-n", str(GENERATE),
                                             "-t", "2"], check=True, capture_output=True, text=True).stdout)
            steps = gen["top10_logits"][:len(gen["generated_ids"])]
            margins = [e["top"][0][1] - e["top"][1][1] for e in steps]
            if len(margins) == GENERATE and min(margins) >= MIN_MARGIN and len(set(gen["generated_ids"])) >= 4:
                break
        else:
            sys.exit(f"{family}: no sequence without a near-tie in 100 tries")
        info = json.loads(subprocess.run([a.runner, "logits", "-m", model, "--ids", ids_arg, "--out",
                                          os.path.join(d, "logits.f32"), "-t", "2"],
                                         check=True, capture_output=True, text=True).stdout)
        assert info == {"positions": len(ids), "vocab": V}, info
        if family == "llama":
            # The same model with linear RoPE scaling on top of its factors (positions / 4): only
            # llama.cpp's logits are kept; the test adds the two keys to model.gguf itself.
            scaled = os.path.join(d, "linear4.gguf.tmp")
            build(family, spec, a.llama_src, scaled, linear_scaling=LINEAR_FACTOR)
            info = json.loads(subprocess.run([a.runner, "logits", "-m", scaled, "--ids", ids_arg, "--out",
                                              os.path.join(d, "linear4-logits.f32"), "-t", "2"],
                                             check=True, capture_output=True, text=True).stdout)
            assert info == {"positions": len(ids), "vocab": V}, info
            os.remove(scaled)
        # The layout Tests/KingletTestSupport/ArchitectureFixture.swift reads.
        with open(os.path.join(d, "reference.json"), "w") as f:
            json.dump({"tokens": ids, "positions": len(ids), "vocab": V, "logits_file": "logits.f32",
                       "prompt_ids": gen["prompt_ids"], "generated_ids": gen["generated_ids"],
                       "top2_margins": [round(m, 5) for m in margins]}, f, indent=1)
        print(f"{family}: {os.path.getsize(model)} bytes, V={V}, sequence attempt {attempt}, "
              f"generated {gen['generated_ids']}, smallest top-2 margin {min(margins):.4f}")


if __name__ == "__main__":
    main()
