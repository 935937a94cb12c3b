#!/usr/bin/env python3
"""A tiny llama in F32 for the quantize tests (Tests/Data/quantize/tiny-llama-f32.gguf).

Rows of 256 values (n_embd 256), so the K-quants apply to q/k/v/gate/up, token_embd and output;
ffn_down has rows of 32 (n_ff) and attn_output rows of 8 (n_head·head_dim), so they exercise
llama.cpp's row-length fallbacks (K-quant → legacy type, and → F16 when even 32 does not divide).
Three layers, so the Q4_K_M / Q5_K_M layer schedules (use_more_bits) pick one layer and not the
others; n_head 2 over 1 KV head (about 400 KB). Weights are seeded Gaussians with a few
outliers and one all-zero row, written by gguf-py (llama.cpp's Python package). Run by
scripts/make-quantize-fixtures.sh.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.environ.get("GGUF_PY", "/tmp/llama/llama_cpp_python-0.3.36/vendor/llama.cpp/gguf-py"))
import gguf  # noqa: E402

out = sys.argv[1]
n_embd, n_head, n_head_kv, head_dim, n_ff, n_layer, n_vocab = 256, 2, 1, 4, 32, 3, 16
rng = np.random.default_rng(14)


def weight(rows, cols, scale):
    w = (rng.standard_normal((rows, cols)) * scale).astype(np.float32)
    w.flat[rng.integers(0, w.size, 3)] *= 20  # outliers
    return w


w = gguf.GGUFWriter(out, "llama")
w.add_name("kinglet-quantize-fixture")
w.add_context_length(64)
w.add_embedding_length(n_embd)
w.add_block_count(n_layer)
w.add_feed_forward_length(n_ff)
w.add_head_count(n_head)
w.add_head_count_kv(n_head_kv)
w.add_key_length(head_dim)
w.add_value_length(head_dim)
w.add_rope_dimension_count(head_dim)
w.add_layer_norm_rms_eps(1e-5)
w.add_vocab_size(n_vocab)
w.add_file_type(0)
w.add_tokenizer_model("llama")
w.add_token_list([f"<t{i}>" for i in range(n_vocab)])
w.add_token_scores([0.0] * n_vocab)
w.add_token_types([1] * n_vocab)

embd = weight(n_vocab, n_embd, 0.5)
embd[5] = 0  # an all-zero row
w.add_tensor("token_embd.weight", embd)
w.add_tensor("output_norm.weight", (1 + 0.1 * rng.standard_normal(n_embd)).astype(np.float32))
w.add_tensor("output.weight", weight(n_vocab, n_embd, 0.05))
for i in range(n_layer):
    p = f"blk.{i}."
    w.add_tensor(p + "attn_norm.weight", (1 + 0.1 * rng.standard_normal(n_embd)).astype(np.float32))
    w.add_tensor(p + "attn_q.weight", weight(n_head * head_dim, n_embd, 0.06))
    w.add_tensor(p + "attn_k.weight", weight(n_head_kv * head_dim, n_embd, 0.06))
    w.add_tensor(p + "attn_v.weight", weight(n_head_kv * head_dim, n_embd, 0.06))
    w.add_tensor(p + "attn_output.weight", weight(n_embd, n_head * head_dim, 0.2))
    w.add_tensor(p + "ffn_norm.weight", (1 + 0.1 * rng.standard_normal(n_embd)).astype(np.float32))
    w.add_tensor(p + "ffn_gate.weight", weight(n_ff, n_embd, 0.06))
    w.add_tensor(p + "ffn_up.weight", weight(n_ff, n_embd, 0.06))
    w.add_tensor(p + "ffn_down.weight", weight(n_embd, n_ff, 0.2))
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
