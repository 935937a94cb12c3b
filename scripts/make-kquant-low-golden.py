#!/usr/bin/env python3
"""Golden dequantizations of Q2_K, Q3_K and Q5_K super-blocks, made by gguf-py (llama.cpp's Python
package), for Kinglet's reference dequantizers (Types/Q2_K.swift, Q3_K.swift, Q5_K.swift).

Writes Tests/Data/quant/kquant-low-golden.bin:
    "KQLD", u32 version (1), u32 section count, then per section:
    u32 ggml type id, u32 super-blocks nsb, u32 block bytes, the blocks [nsb · block bytes],
    f32 values [nsb · 256] (gguf-py's dequantize, little-endian).

The blocks are seeded random bytes (every bit of every scale, min, high-bit and quant field is
random), with the f16 d and dmin fields replaced by finite values: normal ones of several
magnitudes, negative ones, zero and an f16 subnormal. CI has no numpy, so the file is committed;
run this again only if gguf-py's dequantization changes:

    GGUF_PY=/tmp/llama/llama_cpp_python-0.3.36/vendor/llama.cpp/gguf-py python3 scripts/make-kquant-low-golden.py
"""
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.environ.get("GGUF_PY", "/tmp/llama/llama_cpp_python-0.3.36/vendor/llama.cpp/gguf-py"))
from gguf import quants  # noqa: E402
from gguf.constants import GGMLQuantizationType as Q  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Data", "quant", "kquant-low-golden.bin")
NSB = 4   # super-blocks per type

# (type, block bytes, byte offsets of the f16 fields d, dmin)
TYPES = [(Q.Q2_K, 84, [80, 82]), (Q.Q3_K, 110, [108]), (Q.Q5_K, 176, [0, 2])]

# per super-block: the values of its f16 fields (d, then dmin where the type has one)
SCALES = [(0.0123, 0.0371), (-0.5, 2.0**-20), (1.0e-7, -0.0004), (0.0, 1.75)]


def main():
    rng = np.random.default_rng(20261205)
    out = [b"KQLD", struct.pack("<II", 1, len(TYPES))]
    for qtype, nbytes, f16_at in TYPES:
        blocks = rng.integers(0, 256, size=(NSB, nbytes), dtype=np.uint8)
        for b, values in enumerate(SCALES):
            for at, v in zip(f16_at, values):
                blocks[b, at:at + 2] = np.frombuffer(np.float16(v).tobytes(), dtype=np.uint8)
        values = quants.dequantize(blocks.reshape(-1), qtype).astype("<f4")
        assert values.shape == (NSB * 256,) and np.isfinite(values).all()
        out += [struct.pack("<III", int(qtype), NSB, nbytes), blocks.tobytes(), values.tobytes()]
    with open(OUT, "wb") as f:
        f.write(b"".join(out))
    print(f"wrote {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
