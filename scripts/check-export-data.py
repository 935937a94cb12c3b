#!/usr/bin/env python3
"""Checks a `kinglet distill export-data` export against the dataset it came from.

    pip install safetensors numpy
    python3 scripts/check-export-data.py DATA_DIR EXPORT_DIR

Loads EXPORT_DIR/teacher.safetensors with safetensors' numpy loader (no torch needed), checks
every tensor's shape against EXPORT_DIR/samples.jsonl, and compares the top-k ids,
log-probabilities and tail masses with the ones Kinglet stored in DATA_DIR/scores/*.kscr, read
here straight from the .kscr layout (Sources/KingletDistill/Scores/ScoreShardLayout.swift), so
the check does not trust Kinglet's own reader. Exits 1 on the first mismatch.
"""
import glob
import json
import os
import struct
import sys

import numpy as np
from safetensors.numpy import load_file


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def read_kscr(path):
    """{id: (content_hash, ids [P, k] int64 with -1 padding, logprobs [P, k] f32, tails [P] f32)}."""
    data = open(path, "rb").read()
    if data[:4] != b"KSCR":
        fail(f"{path}: not a score shard")
    version, k, vocab, id_width, count = struct.unpack_from("<5I", data, 4)
    fingerprint, id_bytes_offset, payload_offset, file_size = struct.unpack_from("<4Q", data, 24)
    if version != 1 or file_size != len(data):
        fail(f"{path}: version {version}, size {file_size} vs {len(data)}")
    out = {}
    for i in range(count):
        h, rel, positions, id_off, id_len, _ = struct.unpack_from("<QQIIII", data, 64 + 32 * i)
        sample_id = data[id_bytes_offset + id_off: id_bytes_offset + id_off + id_len].decode()
        at = payload_offset + rel
        p, n = positions, positions * k
        logprobs = np.frombuffer(data, "<f4", n, at).reshape(p, k)
        tails = np.frombuffer(data, "<f4", p, at + 4 * n)
        raw = np.frombuffer(data, "<u2" if id_width == 2 else "<u4", n, at + 4 * n + 4 * p).astype(np.int64)
        raw[raw == (0xFFFF if id_width == 2 else 0xFFFFFFFF)] = -1
        out[sample_id] = (h, raw.reshape(p, k), logprobs, tails)
    return k, vocab, fingerprint, out


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    data_dir, export_dir = sys.argv[1], sys.argv[2]
    t = load_file(os.path.join(export_dir, "teacher.safetensors"))
    lines = [json.loads(l) for l in open(os.path.join(export_dir, "samples.jsonl")) if l.strip()]
    records = [json.loads(l) for l in open(os.path.join(data_dir, "samples.jsonl")) if l.strip()]
    stored = {}
    k_stored = None
    for path in sorted(glob.glob(os.path.join(data_dir, "scores", "scores-*.kscr"))):
        k_stored, _, _, part = read_kscr(path)
        stored.update(part)

    n = len(lines)
    k = t["topk_ids"].shape[1]
    rows = t["topk_ids"].shape[0]
    expect = {
        "sequence_offsets": ((n + 1,), np.int64), "prompt_lengths": ((n,), np.int32), "topk_offsets": ((n + 1,), np.int64),
        "topk_ids": ((rows, k), np.int32), "topk_logprobs": ((rows, k), np.float32), "tail_logmass": ((rows,), np.float32),
    }
    for name, (shape, dtype) in expect.items():
        if t[name].shape != shape or t[name].dtype != dtype:
            fail(f"{name}: shape {t[name].shape} {t[name].dtype}, expected {shape} {np.dtype(dtype)}")
    if t["input_ids"].dtype != np.int32 or t["input_ids"].shape != (int(t["sequence_offsets"][-1]),):
        fail(f"input_ids: shape {t['input_ids'].shape}, sequence_offsets end at {t['sequence_offsets'][-1]}")
    if int(t["topk_offsets"][-1]) != rows:
        fail(f"topk_offsets end at {t['topk_offsets'][-1]}, {rows} rows")
    if len(records) != n:
        fail(f"{n} exported samples, {len(records)} in the dataset")
    if k_stored is not None and k != k_stored:
        fail(f"k {k} exported, {k_stored} stored")

    scored = 0
    for i, (line, record) in enumerate(zip(lines, records)):
        if line["id"] != record["id"] or line["index"] != i:
            fail(f"sample {i}: id {line['id']} vs {record['id']}")
        s0, s1 = int(t["sequence_offsets"][i]), int(t["sequence_offsets"][i + 1])
        tokens = record["prompt_tokens"] + record["completion_tokens"]
        if t["input_ids"][s0:s1].tolist() != tokens or int(t["prompt_lengths"][i]) != len(record["prompt_tokens"]):
            fail(f"sample {i}: token ids differ from the dataset's")
        r0, r1 = int(t["topk_offsets"][i]), int(t["topk_offsets"][i + 1])
        if record["id"] not in stored:
            if r1 != r0 or line["scored"]:
                fail(f"sample {i}: rows exported for a sample without stored scores")
            continue
        _, ids, logprobs, tails = stored[record["id"]]
        if r1 - r0 != ids.shape[0] or r1 - r0 != len(record["completion_tokens"]) or not line["scored"]:
            fail(f"sample {i}: {r1 - r0} rows, {ids.shape[0]} stored, {len(record['completion_tokens'])} completion tokens")
        if not np.array_equal(t["topk_ids"][r0:r1], ids):
            fail(f"sample {i}: top-k ids differ from the stored ones")
        if not np.array_equal(t["topk_logprobs"][r0:r1].view(np.uint32), logprobs.view(np.uint32)):
            fail(f"sample {i}: log-probabilities differ from the stored ones (bitwise)")
        if not np.array_equal(t["tail_logmass"][r0:r1].view(np.uint32), tails.view(np.uint32)):
            fail(f"sample {i}: tail masses differ from the stored ones (bitwise)")
        # Each row with its tail is a distribution: top-k mass + tail mass = 1.
        finite = np.where(np.isneginf(logprobs), 0.0, np.exp(logprobs.astype(np.float64))).sum(axis=1)
        total = finite + np.exp(tails.astype(np.float64))
        if np.abs(total - 1).max() > 1e-3:
            fail(f"sample {i}: top-k plus tail mass is {total.min():.6f} … {total.max():.6f}, not 1")
        scored += 1
    print(f"checked {n} samples ({scored} scored, {rows} rows, k = {k}) against {len(stored)} stored records")
    print(f"{n} passed, 0 failed")


if __name__ == "__main__":
    main()
