// SwiGLU over 8 lanes: g ← silu(g)·u with silu(x) = x / (1 + e^(−x)), e^x the engine's vector
// exp (x86_exp8.h). The same operations as the plain Swift definition (`SiLU.silu`), so the
// same numbers lane for lane.
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
#endif
