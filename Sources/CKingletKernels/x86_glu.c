// The gated activations over 8 lanes, the same numbers as their plain Swift definitions:
// - SwiGLU: g ← silu(g)·u with silu(x) = x / (1 + e^(−x)), e^x the engine's vector exp
//   (x86_exp8.h), the operations of `SiLU.silu`;
// - GeGLU: g ← gelu(g)·u with ggml's F16 table: 0 at or below −10, x at or above 10, else the
//   table's entry for x rounded to F16 (F16C's round-to-nearest-even, as `floatToHalf`).
#if defined(__x86_64__)
#include <immintrin.h>
#include "CKingletKernels.h"

#define KK_TARGET __attribute__((target("avx2,fma,f16c")))
#include "x86_exp8.h"

static inline __attribute__((always_inline)) KK_TARGET __m256 kk_swiglu8(__m256 g, __m256 u) {
    const __m256 e = kk_exp8(_mm256_xor_ps(g, _mm256_set1_ps(-0.0f)));   // e^(−g): the sign flipped
    return _mm256_mul_ps(_mm256_div_ps(g, _mm256_add_ps(_mm256_set1_ps(1.0f), e)), u);
}

KK_TARGET void kk_avx2_swiglu(float *g, const float *u, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(g + i, kk_swiglu8(_mm256_loadu_ps(g + i), _mm256_loadu_ps(u + i)));
    if (i < n) {
        float tg[8] = {0}, tu[8] = {0};
        for (int j = 0; i + j < n; j++) { tg[j] = g[i + j]; tu[j] = u[i + j]; }
        _mm256_storeu_ps(tg, kk_swiglu8(_mm256_loadu_ps(tg), _mm256_loadu_ps(tu)));
        for (int j = 0; i + j < n; j++) g[i + j] = tg[j];
    }
}

KK_TARGET void kk_avx2_geglu(float *g, const float *u, const float *table, int64_t n) {
    const __m256 lo = _mm256_set1_ps(-10.0f), hi = _mm256_set1_ps(10.0f);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 x = _mm256_loadu_ps(g + i), uv = _mm256_loadu_ps(u + i);
        const __m256i h = _mm256_cvtepu16_epi32(_mm256_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
        const __m256 y = _mm256_mul_ps(_mm256_i32gather_ps(table, h, 4), uv);
        const __m256 big = _mm256_mul_ps(x, uv);
        __m256 r = _mm256_blendv_ps(y, big, _mm256_cmp_ps(x, hi, _CMP_GE_OQ));
        r = _mm256_andnot_ps(_mm256_cmp_ps(x, lo, _CMP_LE_OQ), r);
        _mm256_storeu_ps(g + i, r);
    }
    for (; i < n; i++) {
        const float x = g[i];
        g[i] = x <= -10.0f ? 0.0f : x >= 10.0f ? x * u[i] : table[_cvtss_sh(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)] * u[i];
    }
}
#endif
