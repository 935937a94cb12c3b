#!/usr/bin/env python3
"""PyTorch twin of Kinglet's trainable llama (dev tool; CI does not need torch).

  dump CHECKPOINT OUT.json   load a Kinglet checkpoint (GGUF), run one batch, write loss + every
                             gradient (llm.c's test_gpt2 pattern); Tests/Data/training holds the result.
  bench --preset micro ...   time one training step (forward, backward, AdamW) on random tokens.

The model is the definition Kinglet trains: token embedding (tied output head), per layer
RMSNorm → q/k/v → RoPE on adjacent pairs (GGUF llama layout) → causal grouped-query attention →
output projection → residual, RMSNorm → SwiGLU FFN → residual; final RMSNorm; mean cross-entropy.
"""
import argparse, json, math, os, sys, time

import numpy as np
import torch
import torch.nn.functional as F

PRESETS = {  # dim, layers, heads, kv heads, ffn (Sources/KingletTraining/Model/ModelPreset.swift)
    "nano": (128, 6, 4, 2, 384),
    "micro": (256, 8, 8, 4, 688),
    "mini": (512, 8, 8, 4, 1376),
}


def rope_tables(length, dims, base):
    # θ accumulated in float32 exactly as Kinglet (and ggml) do: θ_{i+1} = θ_i · base^(−2/dims)
    scale = np.float32(base) ** np.float32(-2.0 / dims)
    cos = np.zeros((length, dims // 2), np.float32)
    sin = np.zeros((length, dims // 2), np.float32)
    for t in range(length):
        theta = np.float32(t)
        for i in range(dims // 2):
            cos[t, i] = np.cos(theta)
            sin[t, i] = np.sin(theta)
            theta = np.float32(theta * scale)
    return torch.from_numpy(cos), torch.from_numpy(sin)


def rope(x, cos, sin):  # x [B, T, heads, Dh], rotate (x[2i], x[2i+1])
    a, b = x[..., 0::2], x[..., 1::2]
    c, s = cos[None, :, None, :], sin[None, :, None, :]
    return torch.stack((a * c - b * s, a * s + b * c), dim=-1).flatten(-2)


def rmsnorm(x, g, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * g


class ParamTable(dict):
    """GGUF tensor name → parameter, registered on the module (torch names cannot contain '.')."""
    def __init__(self, module):
        super().__init__()
        self.module = module

    def __setitem__(self, name, value):
        p = torch.nn.Parameter(value)
        self.module.register_parameter(name.replace(".", "__"), p)
        super().__setitem__(name, p)


class Llama(torch.nn.Module):
    def __init__(self, vocab, dim, layers, heads, kv_heads, ffn, length, base=10000.0, eps=1e-5):
        super().__init__()
        self.dims = (vocab, dim, layers, heads, kv_heads, ffn)
        self.eps = eps
        hd = dim // heads
        self.params = ParamTable(self)
        self.params["token_embd.weight"] = (torch.randn(vocab, dim) * 0.02)
        for l in range(layers):
            p = f"blk.{l}."
            self.params[p + "attn_norm.weight"] = (torch.ones(dim))
            self.params[p + "attn_q.weight"] = (torch.randn(heads * hd, dim) * 0.02)
            self.params[p + "attn_k.weight"] = (torch.randn(kv_heads * hd, dim) * 0.02)
            self.params[p + "attn_v.weight"] = (torch.randn(kv_heads * hd, dim) * 0.02)
            self.params[p + "attn_output.weight"] = (torch.randn(dim, heads * hd) * 0.02)
            self.params[p + "ffn_norm.weight"] = (torch.ones(dim))
            self.params[p + "ffn_gate.weight"] = (torch.randn(ffn, dim) * 0.02)
            self.params[p + "ffn_up.weight"] = (torch.randn(ffn, dim) * 0.02)
            self.params[p + "ffn_down.weight"] = (torch.randn(dim, ffn) * 0.02)
        self.params["output_norm.weight"] = (torch.ones(dim))
        self.cos, self.sin = rope_tables(length, hd, base)

    def forward(self, tokens, targets):
        vocab, dim, layers, heads, kv_heads, ffn = self.dims
        hd = dim // heads
        W = self.params
        B, T = tokens.shape
        x = W["token_embd.weight"][tokens]
        cos, sin = self.cos[:T], self.sin[:T]
        for l in range(layers):
            p = f"blk.{l}."
            xn = rmsnorm(x, W[p + "attn_norm.weight"], self.eps)
            q = rope((xn @ W[p + "attn_q.weight"].T).view(B, T, heads, hd), cos, sin)
            k = rope((xn @ W[p + "attn_k.weight"].T).view(B, T, kv_heads, hd), cos, sin)
            v = (xn @ W[p + "attn_v.weight"].T).view(B, T, kv_heads, hd)
            k = k.repeat_interleave(heads // kv_heads, dim=2)
            v = v.repeat_interleave(heads // kv_heads, dim=2)
            y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
            x = x + y.transpose(1, 2).reshape(B, T, heads * hd) @ W[p + "attn_output.weight"].T
            xn = rmsnorm(x, W[p + "ffn_norm.weight"], self.eps)
            h = F.silu(xn @ W[p + "ffn_gate.weight"].T) * (xn @ W[p + "ffn_up.weight"].T)
            x = x + h @ W[p + "ffn_down.weight"].T
        x = rmsnorm(x, W["output_norm.weight"], self.eps)
        logits = x @ W["token_embd.weight"].T
        return F.cross_entropy(logits.view(-1, vocab), targets.reshape(-1))


def load_checkpoint(path):
    sys.path.insert(0, os.environ.get("GGUF_PY", "/tmp/llama/llama_cpp_python-0.3.36/vendor/llama.cpp/gguf-py"))
    from gguf import GGUFReader
    r = GGUFReader(path)
    def field(name):
        f = r.fields[name]
        return f.parts[f.data[0]].tolist()[0]
    cfg = dict(vocab=field("llama.vocab_size"), dim=field("llama.embedding_length"), layers=field("llama.block_count"),
               heads=field("llama.attention.head_count"), kv_heads=field("llama.attention.head_count_kv"),
               ffn=field("llama.feed_forward_length"), base=field("llama.rope.freq_base"),
               eps=field("llama.attention.layer_norm_rms_epsilon"))
    tensors = {t.name: np.array(t.data, dtype=np.float32).reshape(list(reversed([int(d) for d in t.shape])))
               for t in r.tensors if not t.name.startswith("optimizer.")}
    return cfg, tensors


def dump(args):
    cfg, tensors = load_checkpoint(args.checkpoint)
    B, T = args.batch, args.length
    torch.manual_seed(0)
    m = Llama(cfg["vocab"], cfg["dim"], cfg["layers"], cfg["heads"], cfg["kv_heads"], cfg["ffn"], T, cfg["base"], cfg["eps"])
    with torch.no_grad():
        for name, p in m.params.items():
            p.copy_(torch.from_numpy(tensors[name]).reshape(p.shape))
    stream = [(i * 7 + 3) % cfg["vocab"] for i in range(B * (T + 1))]
    rows = [stream[b * (T + 1):(b + 1) * (T + 1)] for b in range(B)]
    inputs = torch.tensor([r[:-1] for r in rows]); targets = torch.tensor([r[1:] for r in rows])
    loss = m(inputs, targets)
    loss.backward()
    out = {"batch": B, "length": T, "inputs": inputs.flatten().tolist(), "targets": targets.flatten().tolist(),
           "loss": loss.item(), "torch": torch.__version__,
           "grads": {n: [float("%.9g" % v) for v in p.grad.flatten().tolist()] for n, p in m.params.items()}}
    with open(args.out, "w") as f:
        json.dump(out, f)
    print(f"loss {loss.item():.6f}; {len(out['grads'])} gradients written to {args.out}")


def bench(args):
    torch.set_num_threads(args.threads)
    dim, layers, heads, kv, ffn = PRESETS[args.preset]
    torch.manual_seed(1)
    m = Llama(args.vocab, dim, layers, heads, kv, ffn, args.seq)
    opt = torch.optim.AdamW(m.parameters(), lr=1e-4, betas=(0.9, 0.95), weight_decay=0.1)
    times = []
    for i in range(args.steps + 1):
        g = torch.Generator().manual_seed(i)
        x = torch.randint(0, args.vocab, (args.batch, args.seq), generator=g)
        y = torch.randint(0, args.vocab, (args.batch, args.seq), generator=g)
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = m(x, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        opt.step()
        if i > 0:
            times.append(time.perf_counter() - t0)
    times.sort()
    step = times[len(times) // 2]
    n = sum(p.numel() for p in m.parameters())
    tokens = args.batch * args.seq
    print(json.dumps({"trainer": f"pytorch {torch.__version__}", "preset": args.preset, "threads": args.threads,
                      "batch": args.batch, "seq": args.seq, "params": n, "step_s": step, "tokens_per_s": tokens / step}))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump"); d.add_argument("checkpoint"); d.add_argument("out")
    d.add_argument("--batch", type=int, default=2); d.add_argument("--length", type=int, default=8)
    b = sub.add_parser("bench"); b.add_argument("--preset", default="micro", choices=PRESETS)
    b.add_argument("--vocab", type=int, default=49152); b.add_argument("--batch", type=int, default=8)
    b.add_argument("--seq", type=int, default=256); b.add_argument("--steps", type=int, default=5)
    b.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    dump(a) if a.cmd == "dump" else bench(a)


if __name__ == "__main__":
    main()
