// Attention over a KV cache stored in ggml blocks (Q8_0 or Q4_0 keys and values; KVCache), on
// AArch64: baseline NEON (widening multiplies) and NEON with the dot-product extension (SDOT).
// The x86 twins and the legend: x86_kv_blocks.c; plain Swift twins:
// KingletKernels/Reference/ReferenceKVBlocks.swift.
#if defined(__aarch64__)
#include <arm_neon.h>
#include <string.h>
#include "CKingletKernels.h"

#define KK_INLINE static inline __attribute__((always_inline))

KK_INLINE float kk_kv_half(const uint8_t *p) { __fp16 h; memcpy(&h, p, 2); return (float)h; }
#include "kv_accum_template.h"

/// 16 bytes of Q4_0 nibbles → elements 0-15 and 16-31 as signed bytes (nibble − 8).
KK_INLINE void kk_kv_nibbles(const uint8_t *qs, int8x16_t *lo, int8x16_t *hi) {
    const uint8x16_t b = vld1q_u8(qs);
    *lo = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(b, vdupq_n_u8(0x0F))), vdupq_n_s8(8));
    *hi = vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(b, 4)), vdupq_n_s8(8));
}

// One scores kernel per ISA and key type: per block the exact integer dot, scaled by d_q·d_k and
// added in block order (as ggml's vec_dot).
#define KK_KV_SCORES(NAME, TARGET, DOT, TYPE_BYTES, LOADK)                                                  \
    TARGET void NAME(const void *q, const void *k, int64_t stride, int64_t len, int64_t nb, float *scores) { \
        const uint8_t *qb = q;                                                                               \
        for (int64_t p = 0; p < len; p++) {                                                                  \
            const uint8_t *kb = (const uint8_t *)k + p * stride;                                             \
            float s = 0;                                                                                     \
            for (int64_t b = 0; b < nb; b++) {                                                               \
                const int8x16_t x0 = vld1q_s8((const int8_t *)(qb + 34 * b + 2));                            \
                const int8x16_t x1 = vld1q_s8((const int8_t *)(qb + 34 * b + 18));                           \
                int8x16_t y0, y1;                                                                            \
                LOADK(kb + (TYPE_BYTES) * b + 2, &y0, &y1);                                                  \
                const int32x4_t acc = DOT(DOT(vdupq_n_s32(0), y0, x0), y1, x1);                              \
                s += (float)vaddvq_s32(acc) * (kk_kv_half(kb + (TYPE_BYTES) * b) * kk_kv_half(qb + 34 * b)); \
            }                                                                                                \
            scores[p] = s;                                                                                   \
        }                                                                                                    \
    }

KK_INLINE void kk_kv_load_q8_0(const uint8_t *qs, int8x16_t *y0, int8x16_t *y1) {
    *y0 = vld1q_s8((const int8_t *)qs);
    *y1 = vld1q_s8((const int8_t *)(qs + 16));
}

#define KK_NEON_DOT(acc, a, b) \
    vpadalq_s16(vpadalq_s16((acc), vmull_s8(vget_low_s8(a), vget_low_s8(b))), vmull_high_s8((a), (b)))
#define KK_SDOT(acc, a, b) vdotq_s32((acc), (a), (b))
#define KK_PLAIN
#define KK_DOTPROD __attribute__((target("dotprod")))

KK_KV_SCORES(kk_neon_kv_scores_q8_0, KK_PLAIN, KK_NEON_DOT, 34, kk_kv_load_q8_0)
KK_KV_SCORES(kk_neon_kv_scores_q4_0, KK_PLAIN, KK_NEON_DOT, 18, kk_kv_nibbles)
KK_KV_SCORES(kk_neondot_kv_scores_q8_0, KK_DOTPROD, KK_SDOT, 34, kk_kv_load_q8_0)
KK_KV_SCORES(kk_neondot_kv_scores_q4_0, KK_DOTPROD, KK_SDOT, 18, kk_kv_nibbles)

KK_INLINE void kk_kv_widen(int8x16_t x, float32x4_t f[4]) {
    const int16x8_t l = vmovl_s8(vget_low_s8(x)), h = vmovl_high_s8(x);
    f[0] = vcvtq_f32_s32(vmovl_s16(vget_low_s16(l)));
    f[1] = vcvtq_f32_s32(vmovl_high_s16(l));
    f[2] = vcvtq_f32_s32(vmovl_s16(vget_low_s16(h)));
    f[3] = vcvtq_f32_s32(vmovl_high_s16(h));
}

/// One block's 32 values as 8 × 4 f32 lanes.
KK_INLINE void kk_kv_load8_q8_0(const uint8_t *qs, float32x4_t x[8]) {
    int8x16_t y0, y1;
    kk_kv_load_q8_0(qs, &y0, &y1);
    kk_kv_widen(y0, x);
    kk_kv_widen(y1, x + 4);
}

KK_INLINE void kk_kv_load8_q4_0(const uint8_t *qs, float32x4_t x[8]) {
    int8x16_t y0, y1;
    kk_kv_nibbles(qs, &y0, &y1);
    kk_kv_widen(y0, x);
    kk_kv_widen(y1, x + 4);
}

#define KK_NEON_FMA(s, x, acc) vfmaq_f32((acc), (x), (s))

KK_KV_ACCUM(kk_neon_kv_accum_q8_0, KK_PLAIN, float32x4_t, 8, 2, vdupq_n_f32, vld1q_f32, vst1q_f32, KK_NEON_FMA, 34,
            kk_kv_load8_q8_0)
KK_KV_ACCUM(kk_neon_kv_accum_q4_0, KK_PLAIN, float32x4_t, 8, 2, vdupq_n_f32, vld1q_f32, vst1q_f32, KK_NEON_FMA, 18,
            kk_kv_load8_q4_0)
#endif
