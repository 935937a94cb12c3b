#!/usr/bin/env python3
"""Writes a tiny llama training checkpoint as Kinglet's trainer does, with the tokenizer metadata
of a real model and random weights, for scripts/check-export-llamacpp.sh.

usage: make-test-checkpoint.py SOURCE_MODEL.gguf OUT/checkpoint.gguf
env:   GGUF_PY (gguf-py folder), FF (feed-forward size, default 80: not a multiple of 32, so the
       q8_0/q4_0 exports also exercise the F16 fallback)
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.environ.get("GGUF_PY", "/tmp/llama/llama_cpp_python-0.3.36/vendor/llama.cpp/gguf-py"))
import gguf  # noqa: E402
from gguf import GGUFValueType as T  # noqa: E402

source, out = sys.argv[1], sys.argv[2]
D, L, H, HKV, F = 64, 2, 4, 2, int(os.environ.get("FF", "80"))
reader = gguf.GGUFReader(source)
tokens = reader.fields["tokenizer.ggml.tokens"]
V = len(tokens.data)

w = gguf.GGUFWriter(out, "llama")
w.add_string("general.name", "kinglet-export-check")
w.add_uint32("llama.block_count", L)
w.add_uint32("llama.context_length", 256)
w.add_uint32("llama.embedding_length", D)
w.add_uint32("llama.feed_forward_length", F)
w.add_uint32("llama.attention.head_count", H)
w.add_uint32("llama.attention.head_count_kv", HKV)
w.add_float32("llama.rope.freq_base", 10000.0)
w.add_uint32("llama.rope.dimension_count", D // H)
w.add_float32("llama.attention.layer_norm_rms_epsilon", 1e-5)
w.add_uint32("llama.vocab_size", V)
w.add_uint32("kinglet.train.step", 1000)
w.add_float32("kinglet.train.learning_rate", 3e-4)
for name, field in reader.fields.items():
    if not name.startswith("tokenizer."):
        continue
    main = field.types[0]
    if main == T.ARRAY:
        w.add_key_value(name, field.contents(), T.ARRAY, sub_type=field.types[-1])
    else:
        w.add_key_value(name, field.contents(), main)

rng = np.random.default_rng(0)
def rand(*shape, scale=0.25, offset=0.0):
    return (offset + scale * rng.standard_normal(shape)).astype(np.float32)

tensors = {"token_embd.weight": rand(V, D, scale=0.5)}
for l in range(L):
    p = f"blk.{l}."
    tensors[p + "attn_norm.weight"] = rand(D, scale=0.1, offset=1)
    tensors[p + "attn_q.weight"] = rand(D, D)
    tensors[p + "attn_k.weight"] = rand(HKV * D // H, D)
    tensors[p + "attn_v.weight"] = rand(HKV * D // H, D)
    tensors[p + "attn_output.weight"] = rand(D, D)
    tensors[p + "ffn_norm.weight"] = rand(D, scale=0.1, offset=1)
    tensors[p + "ffn_gate.weight"] = rand(F, D)
    tensors[p + "ffn_up.weight"] = rand(F, D)
    tensors[p + "ffn_down.weight"] = rand(D, F)
tensors["output_norm.weight"] = rand(D, scale=0.1, offset=1)
for name, t in tensors.items():
    w.add_tensor(name, t)
    if name.startswith("blk.0."):
        w.add_tensor("optimizer.m." + name, np.zeros_like(t))
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
print(f"wrote {out}: vocabulary {V}, D={D}, L={L}, F={F}")
