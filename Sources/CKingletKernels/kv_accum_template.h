// The value sum of attention over a Q8_0 / Q4_0 KV cache, one template for every ISA
// (x86_kv_blocks.c, arm_kv_blocks.c): the includer defines KK_INLINE and kk_kv_half (the f16 at
// a byte address, as float) and instantiates KK_KV_ACCUM with its vector type and intrinsics.
#pragma once

/// The value sum for one ISA: out[32·b0 ..< 32·(b0 + G)] += Σ_p w[p]·V_p with the G blocks' PER
/// vectors of f32 (LANES each) in registers across the run; blocks go MAXG, then 2, then 1 at a time.
#define KK_KV_ACCUM(NAME, TARGET, VEC, PER, MAXG, SET1, LOADF, STOREF, FMA, TYPE_BYTES, LOADQ)             \
    TARGET KK_INLINE void NAME##_group(const float *w, const uint8_t *v, int64_t stride, int64_t len,        \
                                       int64_t b0, const int G, float *out) {                                 \
        enum { LANES = 32 / PER };                                                                           \
        VEC acc[PER * MAXG];                                                                                 \
        for (int i = 0; i < PER * G; i++) acc[i] = LOADF(out + 32 * b0 + LANES * i);                         \
        for (int64_t p = 0; p < len; p++) {                                                                  \
            const uint8_t *row = v + p * stride;                                                             \
            for (int g = 0; g < G; g++) {                                                                    \
                const uint8_t *blk = row + (TYPE_BYTES) * (b0 + g);                                           \
                const VEC s = SET1(w[p] * kk_kv_half(blk));                                                  \
                VEC x[PER];                                                                                  \
                LOADQ(blk + 2, x);                                                                           \
                for (int i = 0; i < PER; i++) acc[PER * g + i] = FMA(s, x[i], acc[PER * g + i]);            \
            }                                                                                                \
        }                                                                                                    \
        for (int i = 0; i < PER * G; i++) STOREF(out + 32 * b0 + LANES * i, acc[i]);                         \
    }                                                                                                        \
    TARGET void NAME(const float *w, const void *v, int64_t stride, int64_t len, int64_t nb, float *out) {   \
        int64_t b = 0;                                                                                       \
        for (; b + MAXG <= nb; b += MAXG) NAME##_group(w, v, stride, len, b, MAXG, out);                     \
        for (; b + 2 <= nb; b += 2) NAME##_group(w, v, stride, len, b, 2, out);                              \
        for (; b < nb; b++) NAME##_group(w, v, stride, len, b, 1, out);                                      \
    }
