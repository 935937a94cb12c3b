// AArch64 kernels: NEON is baseline there; the dot-product extension (SDOT, ARMv8.2+, every
// Apple M-series and most current Linux servers) gets its own tile kernels via a target
// attribute, chosen at run time from kk_cpu_features(). Each ISA instantiates the 4/8-bit tiles
// (arm_quant_tile.h) and the low-bit K-quant tiles (arm_kquants_low_tile.h).
#if defined(__aarch64__)
#include <arm_neon.h>
#include <stdlib.h>
#include <string.h>
#include "CKingletKernels.h"
#include "arm_kquants_low.h"
#include "tile_walk.h"

// Baseline NEON: widening multiplies, pairwise-accumulated into 4 lanes.
#define KK_TARGET
#define KK_NAME(x) kk_neon_##x
#define KK_DOT_S8(acc, a, b) \
    vpadalq_s16(vpadalq_s16((acc), vmull_s8(vget_low_s8(a), vget_low_s8(b))), vmull_high_s8((a), (b)))
#include "arm_quant_tile.h"
#include "arm_kquant_tile.h"
#include "arm_kquants_low_tile.h"
#undef KK_TARGET
#undef KK_NAME
#undef KK_DOT_S8

// NEON + dot product.
#define KK_TARGET __attribute__((target("dotprod")))
#define KK_NAME(x) kk_neondot_##x
#define KK_DOT_S8(acc, a, b) vdotq_s32((acc), (a), (b))
#include "arm_quant_tile.h"
#include "arm_kquant_tile.h"
#include "arm_kquants_low_tile.h"
#undef KK_TARGET
#undef KK_NAME
#undef KK_DOT_S8

// MARK: Activation quantization (llama.cpp's ARM quantize_row_q8_0 / q8_1)

/// One 32-block: d = amax/127, q = rint(x · (1/d)) (ties to even); returns Σq.
static int kk_neon_quantize_block(const float *x, int8_t *qs, float *d_out) {
    float32x4_t v[8], a = vdupq_n_f32(0);
    for (int j = 0; j < 8; j++) { v[j] = vld1q_f32(x + 4 * j); a = vmaxq_f32(a, vabsq_f32(v[j])); }
    const float amax = vmaxvq_f32(a);
    const float d = amax / 127;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    *d_out = d;
    int32x4_t sum = vdupq_n_s32(0);
    for (int j = 0; j < 8; j++) {
        const int32x4_t q = vcvtnq_s32_f32(vmulq_n_f32(v[j], id));
        sum = vaddq_s32(sum, q);
        int32_t lanes[4];
        vst1q_s32(lanes, q);
        for (int l = 0; l < 4; l++) qs[4 * j + l] = (int8_t)lanes[l];
    }
    return vaddvq_s32(sum);
}

static void kk_neon_store_f16(uint8_t *p, float f) {
    const _Float16 h = (_Float16)f;   // round to nearest even
    memcpy(p, &h, 2);
}

void kk_neon_quantize_q8_0(const float *x, void *out, int64_t k) {
    uint8_t *y = (uint8_t *)out;
    for (int64_t b = 0; b < k / 32; b++) {
        float d;
        kk_neon_quantize_block(x + b * 32, (int8_t *)(y + b * 34 + 2), &d);
        kk_neon_store_f16(y + b * 34, d);
    }
}

void kk_neon_quantize_q8_1(const float *x, void *out, int64_t k) {
    uint8_t *y = (uint8_t *)out;
    for (int64_t b = 0; b < k / 32; b++) {
        float d;
        const int sum = kk_neon_quantize_block(x + b * 32, (int8_t *)(y + b * 36 + 4), &d);
        kk_neon_store_f16(y + b * 36, d);
        kk_neon_store_f16(y + b * 36 + 2, d * (float)sum);
    }
}

// MARK: Float weights (F32, F16, BF16) × same-type activations, f32 FMA, 4 rows × 1 token or
// 2 rows × 4 tokens per tile; elements past the last multiple of 4 one at a time.

enum { KK_F32, KK_F16, KK_BF16 };

static inline __attribute__((always_inline)) float32x4_t kk_neon_load4(const int kind, const void *p, int64_t i) {
    if (kind == KK_F32) return vld1q_f32((const float *)p + i);
    const uint16x4_t h = vld1_u16((const uint16_t *)p + i);
    if (kind == KK_F16) return vcvt_f32_f16(vreinterpret_f16_u16(h));
    return vreinterpretq_f32_u32(vshll_n_u16(h, 16));
}

static inline __attribute__((always_inline)) float kk_neon_load1(const int kind, const void *p, int64_t i) {
    if (kind == KK_F32) return ((const float *)p)[i];
    if (kind == KK_F16) return kk_neon_f16((const uint8_t *)p + 2 * i);
    const uint32_t u = (uint32_t)((const uint16_t *)p)[i] << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static inline __attribute__((always_inline))
void kk_neon_ftile(const int kind, const int RT, const int TT, const uint8_t *w, size_t wrb,
                   const uint8_t *x, size_t xrb, int64_t k, float *out, int64_t out_stride) {
    float32x4_t acc[4][4];
    for (int r = 0; r < RT; r++)
        for (int t = 0; t < TT; t++) acc[r][t] = vdupq_n_f32(0);
    int64_t i = 0;
    for (; i + 4 <= k; i += 4) {
        float32x4_t wv[4];
        for (int r = 0; r < RT; r++) wv[r] = kk_neon_load4(kind, w + r * wrb, i);
        for (int t = 0; t < TT; t++) {
            const float32x4_t xv = kk_neon_load4(kind, x + t * xrb, i);
            for (int r = 0; r < RT; r++) acc[r][t] = vfmaq_f32(acc[r][t], wv[r], xv);
        }
    }
    for (int r = 0; r < RT; r++)
        for (int t = 0; t < TT; t++) {
            float s = vaddvq_f32(acc[r][t]);
            for (int64_t j = i; j < k; j++) s += kk_neon_load1(kind, w + r * wrb, j) * kk_neon_load1(kind, x + t * xrb, j);
            out[t * out_stride + r] = s;
        }
}

static inline __attribute__((always_inline)) void kk_neon_fgemm(const int kind, const kk_gemm_args *a) {
    const uint8_t *x = (const uint8_t *)a->x, *w = (const uint8_t *)a->w;
#define KK_FTILE(RT, TT, r, t) \
    kk_neon_ftile(kind, RT, TT, w + (r) * a->w_row_bytes, a->w_row_bytes, x + (t) * a->x_row_bytes, \
                  a->x_row_bytes, a->k, a->out + (t) * a->out_stride + (r), a->out_stride)
    KK_TILE_WALK(KK_FTILE, a->r0, a->r1, a->n, 4, 2);
#undef KK_FTILE
}

void kk_neon_gemm_f32(const kk_gemm_args *a) { kk_neon_fgemm(KK_F32, a); }
void kk_neon_gemm_f16(const kk_gemm_args *a) { kk_neon_fgemm(KK_F16, a); }
void kk_neon_gemm_bf16(const kk_gemm_args *a) { kk_neon_fgemm(KK_BF16, a); }
#endif
