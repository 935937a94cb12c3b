// (No include guard: this is a template, included once per ISA.)
// Tile kernels for float weights (F32, F16, BF16) × activations of the same type, summed in f32
// with FMA. The including file defines KK_TARGET and KK_NAME(x) (see x86_quant_tile.h).
// Elements past the last multiple of 8 are done one at a time.
#include "tile_walk.h"

enum { KK_F32, KK_F16, KK_BF16 };

/// 8 consecutive elements of a `kind` row, widened to f32.
static inline __attribute__((always_inline)) KK_TARGET
__m256 KK_NAME(load8)(const int kind, const void *p, int64_t i) {
    if (kind == KK_F32) return _mm256_loadu_ps((const float *)p + i);
    const __m128i h = _mm_loadu_si128((const __m128i *)((const uint16_t *)p + i));
    if (kind == KK_F16) return _mm256_cvtph_ps(h);
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

static inline __attribute__((always_inline)) KK_TARGET
float KK_NAME(load1)(const int kind, const void *p, int64_t i) {
    if (kind == KK_F32) return ((const float *)p)[i];
    const uint16_t h = ((const uint16_t *)p)[i];
    if (kind == KK_F16) return _cvtsh_ss(h);
    union { uint32_t u; float f; } v = { .u = (uint32_t)h << 16 };
    return v.f;
}

static inline __attribute__((always_inline)) KK_TARGET
void KK_NAME(ftile)(const int kind, const int RT, const int TT,
                    const uint8_t *w, size_t wrb, const uint8_t *x, size_t xrb, int64_t k,
                    float *out, int64_t out_stride) {
    __m256 acc[4][4];
    for (int r = 0; r < RT; r++)
        for (int t = 0; t < TT; t++) acc[r][t] = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 8 <= k; i += 8) {
        __m256 wv[4];
        for (int r = 0; r < RT; r++) wv[r] = KK_NAME(load8)(kind, w + r * wrb, i);
        for (int t = 0; t < TT; t++) {
            const __m256 xv = KK_NAME(load8)(kind, x + t * xrb, i);
            for (int r = 0; r < RT; r++) acc[r][t] = _mm256_fmadd_ps(wv[r], xv, acc[r][t]);
        }
    }
    for (int r = 0; r < RT; r++) {
        for (int t = 0; t < TT; t++) {
            float s = KK_NAME(hsum)(acc[r][t]);
            for (int64_t j = i; j < k; j++)
                s += KK_NAME(load1)(kind, w + r * wrb, j) * KK_NAME(load1)(kind, x + t * xrb, j);
            out[t * out_stride + r] = s;
        }
    }
}

static inline __attribute__((always_inline)) KK_TARGET
void KK_NAME(fgemm)(const int kind, const kk_gemm_args *a) {
    const uint8_t *x = (const uint8_t *)a->x, *w = (const uint8_t *)a->w;
    const int64_t n = a->n;
#define KK_FTILE(RT, TT, r, t) \
    KK_NAME(ftile)(kind, RT, TT, w + (r) * a->w_row_bytes, a->w_row_bytes, \
                   x + (t) * a->x_row_bytes, a->x_row_bytes, a->k, \
                   a->out + (t) * a->out_stride + (r), a->out_stride)
    KK_TILE_WALK(KK_FTILE, a->r0, a->r1, n, 4, 2);
#undef KK_FTILE
}

KK_TARGET void KK_NAME(gemm_f32)(const kk_gemm_args *a) { KK_NAME(fgemm)(KK_F32, a); }
KK_TARGET void KK_NAME(gemm_f16)(const kk_gemm_args *a) { KK_NAME(fgemm)(KK_F16, a); }
KK_TARGET void KK_NAME(gemm_bf16)(const kk_gemm_args *a) { KK_NAME(fgemm)(KK_BF16, a); }
