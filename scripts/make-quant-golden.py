#!/usr/bin/env python3
"""Golden bytes for Kinglet's export quantizers, made by gguf-py (llama.cpp's Python package).

Writes Tests/Data/quant/quant-golden.bin:
    "KQGL", u32 version (1), u32 element count K (a multiple of 32),
    f32 inputs [K], then the F16 [K·2 bytes], Q8_0 [K/32·34] and Q4_0 [K/32·18] encodings.

gguf-py reproduces ggml's quantize_row_q8_0_ref / quantize_row_q4_0_ref bit for bit (Q4_0 as
compiled without FMA contraction). CI has no numpy, so the file is committed; run this again only
if the reference changes:

    GGUF_PY=/tmp/llama/llama_cpp_python-0.3.36/vendor/llama.cpp/gguf-py python3 scripts/make-quant-golden.py
"""
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.environ.get("GGUF_PY", "/tmp/llama/llama_cpp_python-0.3.36/vendor/llama.cpp/gguf-py"))
from gguf import quants  # noqa: E402
from gguf.constants import GGMLQuantizationType as Q  # noqa: E402


def blocks():
    rng = np.random.default_rng(1234)
    out = []
    out.append(np.zeros(32))                                           # d = 0
    # Q8_0 ties: amax 127 → d = 1, so x·(1/d) lands exactly on k + 0.5 (rounds away from zero).
    out.append(np.array([127, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 126.5, -126.5, 63.5] + [0.25 * k for k in range(22)]))
    # Q4_0 ties: the largest magnitude is -8 → d = 1, x + 8.5 hits integers and halves.
    out.append(np.array([-8, 7.5, -7.5, 0.5, -0.5, 6.5, -6.5, 7, -7, 0] + [0.5 * (k - 11) for k in range(22)]))
    # Equal magnitudes of both signs: the first one sets the Q4_0 sign.
    out.append(np.array([-3, 3] * 16))
    out.append(np.array([3, -3] * 16))
    # F16 rounding ties (halfway between two halves; ties go to the even one) and subnormals.
    ties = [1 + 2**-11, 1 + 3 * 2**-11, 2048 + 1, 2048 + 3, -(1 + 2**-11), 6.0e-8, 2**-24 * 1.5, 2**-25, 3 * 2**-26, 65504, 65519, -65504]
    out.append(np.array(ties + [2**-14 * (1 + k / 64) for k in range(20)]))
    out.append(rng.normal(size=32) * 1e-5)                           # F16-subnormal scales
    out.append(rng.normal(size=32) * 1e4)                            # large values
    for scale in [1e-3, 0.02, 0.1, 1, 10]:
        for _ in range(8):
            out.append(rng.normal(size=32) * scale)
    b = rng.normal(size=32)
    b[rng.integers(32)] = 40                                          # one outlier
    out.append(b)
    out += fma_sensitive_blocks()
    return np.concatenate(out).astype(np.float32)


def fma_sensitive_blocks():
    """Q4_0 blocks whose values give another nibble when x·id + 8.5 is fused (one rounding) than
    when it is not (ggml's reference without FMA contraction, which gguf-py reproduces): values a
    few ulps from (k + 0.5)·d, found by search."""
    blocks = []
    for m in [-7.0, -6.3, -5.1, 3.3, 5.9]:
        m = np.float32(m)
        idd = np.float32(1) / np.float32(m / np.float32(-8))
        hits = [m]
        for k in range(-8, 8):
            v = np.float32((k + 0.5) / float(idd))
            for _ in range(60):
                v = np.nextafter(v, np.float32(-np.inf), dtype=np.float32)
            for _ in range(120):
                v = np.nextafter(v, np.float32(np.inf), dtype=np.float32)
                if abs(v) > abs(m):
                    continue
                plain = np.trunc(np.float32(np.float32(v * idd) + np.float32(8.5)))
                fused = np.trunc(np.float32(np.float64(v) * np.float64(idd) + 8.5))
                if min(plain, 15) != min(fused, 15):
                    hits.append(v)
        hits = (hits + [np.float32(0)] * 32)[:32]
        blocks.append(np.array(hits, dtype=np.float32))
    return blocks


def main():
    x = blocks()
    assert x.size % 32 == 0
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    path = os.path.join(root, "Tests", "Data", "quant", "quant-golden.bin")
    with np.errstate(all="ignore"):
        f16 = quants.quantize(x, Q.F16).tobytes()
        q8 = quants.quantize(x.reshape(1, -1), Q.Q8_0).tobytes()
        q4 = quants.quantize(x.reshape(1, -1), Q.Q4_0).tobytes()
    assert len(f16) == x.size * 2 and len(q8) == x.size // 32 * 34 and len(q4) == x.size // 32 * 18
    with open(path, "wb") as f:
        f.write(b"KQGL" + struct.pack("<II", 1, x.size))
        f.write(x.astype("<f4").tobytes() + f16 + q8 + q4)
    print(f"wrote {path}: {x.size} values, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
