// The plain scalar definitions the SIMD kernels are held to, written from ggml's block layouts
// (CKingletKernels.h) and Kinglet's Swift reference kernels (Sources/KingletKernels/Reference,
// HalfFloat.swift). No intrinsics and no compiler half type: the test must not share a bug with
// the code under test. Built with -ffp-contract=off, so every float operation here rounds the
// same way on AArch64 and x86-64 and the two builds see bit-identical inputs and references.
//
// Legend: K = elements per row, nb = K / 32 blocks.
#pragma once
#include <math.h>
#include <stdint.h>
#include <string.h>

// MARK: - Seeded inputs (SplitMix64, the package's test generator)

typedef struct { uint64_t state; } ref_rng;

static uint64_t ref_next(ref_rng *g) {
    uint64_t z = (g->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/// Uniform in [lo, hi): 24 random bits, so the draw itself is exact.
static float ref_uniform(ref_rng *g, float lo, float hi) {
    return lo + (hi - lo) * ((float)(ref_next(g) >> 40) * 0x1p-24f);
}

/// Uniform integer in [lo, hi].
static int ref_int(ref_rng *g, int lo, int hi) {
    return lo + (int)(ref_next(g) % (uint64_t)(hi - lo + 1));
}

/// Like hidden states (the Swift tests' randomActivations): mostly in [-1, 1), one in 50 × 20.
static float ref_activation(ref_rng *g) {
    const float v = ref_uniform(g, -1, 1);
    return ref_int(g, 0, 49) == 0 ? v * 20 : v;
}

// MARK: - F16 and BF16 (round to nearest, ties to even; HalfFloat.swift)

static uint32_t ref_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static float ref_float(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

static float ref_f16_to_f32(uint16_t h) {
    const uint32_t sign = (uint32_t)(h & 0x8000) << 16, e = (h >> 10) & 0x1F, m = h & 0x3FF;
    if (e == 0x1F) return ref_float(sign | 0x7F800000 | m << 13);   // inf / nan
    if (e == 0) {                                                    // zero / subnormal: m · 2^-24
        const float v = (float)m * 0x1p-24f;
        return sign ? -v : v;
    }
    return ref_float(sign | (e + 112) << 23 | m << 13);
}

static uint16_t ref_f32_to_f16(float f) {
    const uint32_t u = ref_bits(f), a = u & 0x7FFFFFFF;
    const uint16_t sign = (uint16_t)((u >> 16) & 0x8000);
    if (a > 0x7F800000) return sign | 0x7E00 | (uint16_t)((a >> 13) & 0x3FF);   // nan
    if (a >= 0x477FF000) return sign | 0x7C00;     // ≥ 65520 (halfway to 65536) and inf → inf
    if (a >= 0x38800000) {                         // normal half (≥ 2^-14): rebias, round the 13 bits
        const uint32_t r = a - 0x38000000;
        return sign | (uint16_t)((r + 0xFFF + ((r >> 13) & 1)) >> 13);   // a carry is correct
    }
    // Half subnormal or zero: units of 2^-24. Scaling by 2^24 is exact, rintf rounds ties to even,
    // and 1024 units is the bit pattern of the smallest normal half.
    return sign | (uint16_t)rintf(ref_float(a) * 0x1p24f);
}

static float ref_bf16_to_f32(uint16_t b) { return ref_float((uint32_t)b << 16); }

static uint16_t ref_f32_to_bf16(float f) {   // ggml's GGML_FP32_TO_BF16
    const uint32_t u = ref_bits(f);
    if ((u & 0x7FFFFFFF) > 0x7F800000) return (uint16_t)((u >> 16) | 64);
    return (uint16_t)((u + (0x7FFF + ((u >> 16) & 1))) >> 16);
}

// MARK: - Activation quantization (ReferenceQuantize.swift)

/// llama.cpp's ARM variant scales by 1/d, its x86 variant by 127/amax; both round ties to even.
/// The last bit of the product differs now and then, so each ISA is held to its own variant.
enum ref_rounding { REF_ROUND_ARM, REF_ROUND_X86 };

/// [K] f32 → nb Q8_0 blocks {f16 d; i8 qs[32]} (34 bytes) or, with `with_sum`, Q8_1 blocks
/// {f16 d; f16 s; i8 qs[32]} (36 bytes), s = f16(d · Σq) from the f32 d.
static void ref_quantize_q8(const float *x, uint8_t *out, int64_t k, int with_sum, enum ref_rounding rounding) {
    const size_t bytes = with_sum ? 36 : 34, qs = with_sum ? 4 : 2;
    for (int64_t b = 0; b < k / 32; b++) {
        const float *v = x + 32 * b;
        uint8_t *blk = out + b * bytes;
        float amax = 0;
        for (int j = 0; j < 32; j++) amax = fabsf(v[j]) > amax ? fabsf(v[j]) : amax;
        const float d = amax / 127;
        const float mul = rounding == REF_ROUND_ARM ? (d != 0 ? 1 / d : 0) : (amax != 0 ? 127 / amax : 0);
        int sum = 0;
        for (int j = 0; j < 32; j++) {
            const int q = (int)rintf(v[j] * mul);
            blk[qs + j] = (uint8_t)(int8_t)q;
            sum += q;
        }
        const uint16_t dh = ref_f32_to_f16(d), sh = ref_f32_to_f16(d * (float)sum);
        memcpy(blk, &dh, 2);
        if (with_sum) memcpy(blk + 2, &sh, 2);
    }
}

// MARK: - Dot products of one weight row with one activation row (ReferenceDot.swift)

/// Weight types, in the kernels' order. Partners: F32/F16/BF16 themselves, Q4_0/Q8_0/Q5_0 × Q8_0,
/// Q4_1/Q5_1 × Q8_1.
enum ref_type { REF_F32, REF_F16, REF_BF16, REF_Q4_0, REF_Q4_1, REF_Q8_0, REF_Q5_0, REF_Q5_1, REF_NTYPES };

static int ref_is_quant(enum ref_type t) { return t >= REF_Q4_0; }
/// value = q·d + m (a min per block), partnered with Q8_1 for its s = d·Σq.
static int ref_has_min(enum ref_type t) { return t == REF_Q4_1 || t == REF_Q5_1; }

/// Bytes of one 32-element block of a quantized type: Q4_0 {d; qs[16]}, Q4_1 {d; m; qs[16]},
/// Q8_0 {d; qs[32]}, Q5_0 {d; qh[4]; qs[16]}, Q5_1 {d; m; qh[4]; qs[16]}.
static size_t ref_block_bytes(enum ref_type t) {
    static const size_t per_block[REF_NTYPES] = {0, 0, 0, 18, 20, 34, 22, 24};
    return per_block[t];
}

/// Bytes of a row of K elements, weight layout and partner layout.
static size_t ref_row_bytes(enum ref_type t, int64_t k) {
    return t == REF_F32 ? 4 * (size_t)k : t <= REF_BF16 ? 2 * (size_t)k : ref_block_bytes(t) * (size_t)(k / 32);
}
static size_t ref_partner_row_bytes(enum ref_type t, int64_t k) {
    return ref_is_quant(t) ? (ref_has_min(t) ? 36 : 34) * (size_t)(k / 32) : ref_row_bytes(t, k);
}

/// Element i of a float-type row, as f32.
static float ref_float_element(enum ref_type t, const uint8_t *row, int64_t i) {
    uint16_t h;
    if (t == REF_F32) { float f; memcpy(&f, row + 4 * i, 4); return f; }
    memcpy(&h, row + 2 * i, 2);
    return t == REF_F16 ? ref_f16_to_f32(h) : ref_bf16_to_f32(h);
}

/// The integer weight of element j (0…31) of one quantized block: Q4_0 nibbles offset by −8
/// (element j < 16 is the low nibble of qs[j], j ≥ 16 the high nibble of qs[j − 16]), Q4_1 raw
/// nibbles (m is added per block), Q8_0 the signed byte. Q5_0/Q5_1 put bit j of qh (the 4 bytes
/// read as one little-endian u32, as ggml's memcpy into uint32_t) above nibble j as bit 4; Q5_0
/// offsets the 5-bit value by −16, Q5_1 keeps it raw (m is added per block).
static int ref_weight_q(enum ref_type t, const uint8_t *blk, int j) {
    if (t == REF_Q8_0) return (int8_t)blk[2 + j];
    const size_t qh_at = t == REF_Q5_0 ? 2 : 4;                       // Q5 only
    const size_t qs_at = t == REF_Q4_0 ? 2 : t == REF_Q4_1 ? 4 : qh_at + 4;
    const uint8_t q = blk[qs_at + (j & 15)];
    int v = j < 16 ? q & 0xF : q >> 4;
    if (t == REF_Q5_0 || t == REF_Q5_1) {
        const uint32_t qh = (uint32_t)blk[qh_at] | (uint32_t)blk[qh_at + 1] << 8 |
                            (uint32_t)blk[qh_at + 2] << 16 | (uint32_t)blk[qh_at + 3] << 24;
        v |= (int)((qh >> j) & 1) << 4;
    }
    return t == REF_Q4_0 ? v - 8 : t == REF_Q5_0 ? v - 16 : v;
}

static float ref_half_at(const uint8_t *p) { uint16_t h; memcpy(&h, p, 2); return ref_f16_to_f32(h); }

/// W · X for one row pair of K elements, exactly in double (every f32 product is exact in double;
/// quantized blocks: the exact integer dot times the f32 product d_w·d_x the kernels use, plus
/// Q4_1's and Q5_1's m_w · s_x). `*mag` receives Σ|terms|, the scale float rounding errors are measured by.
static double ref_dot(enum ref_type t, const uint8_t *w, const uint8_t *x, int64_t k, double *mag) {
    double sum = 0, abs_sum = 0;
    if (!ref_is_quant(t)) {
        for (int64_t i = 0; i < k; i++) {
            const double p = (double)ref_float_element(t, w, i) * (double)ref_float_element(t, x, i);
            sum += p;
            abs_sum += fabs(p);
        }
        *mag = abs_sum;
        return sum;
    }
    const size_t wb = ref_block_bytes(t), xb = ref_has_min(t) ? 36 : 34;
    const size_t xqs = ref_has_min(t) ? 4 : 2;
    for (int64_t b = 0; b < k / 32; b++) {
        const uint8_t *wblk = w + b * wb, *xblk = x + b * xb;
        int64_t isum = 0, iabs = 0;
        for (int j = 0; j < 32; j++) {
            const int64_t p = (int64_t)ref_weight_q(t, wblk, j) * (int8_t)xblk[xqs + j];
            isum += p;
            iabs += p < 0 ? -p : p;
        }
        const float scale = ref_half_at(wblk) * ref_half_at(xblk);   // one f32 product, as ggml
        sum += (double)isum * scale;
        abs_sum += (double)iabs * fabs((double)scale);
        if (ref_has_min(t)) {
            const double ms = (double)ref_half_at(wblk + 2) * ref_half_at(xblk + 2);
            sum += ms;
            abs_sum += fabs(ms);
        }
    }
    *mag = abs_sum;
    return sum;
}
