// The softmax of attention over an F16 cache, 8 lanes at a time: exp by Cody–Waite range
// reduction and Cephes' minimax polynomial (≤ 2 ulp of expf), the sum in double, the
// probabilities rounded to F16. Shared by the one-query and the group kernels, so both give the
// same numbers. Plain Swift twin of the exp, lane for lane: KingletKernels/Reference/SoftmaxExp.swift.
#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>
#include "CKingletKernels.h"

#define KK_TARGET __attribute__((target("avx2,fma,f16c")))

/// e^x per lane; 0 below −86 (and for −∞), where e^x is far below every F16 probability.
static inline __attribute__((always_inline)) KK_TARGET __m256 kk_exp8(__m256 x) {
    const __m256 under = _mm256_cmp_ps(x, _mm256_set1_ps(-86.0f), _CMP_LT_OQ);
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-86.0f)), _mm256_set1_ps(88.0f));
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    const __m256i e = _mm256_slli_epi32(_mm256_cvtps_epi32(n), 23);
    const __m256 y = _mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(p), e));
    return _mm256_andnot_ps(under, y);
}

KK_TARGET void kk_avx2_exp(const float *x, float *y, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, kk_exp8(_mm256_loadu_ps(x + i)));
    if (i < n) {
        float t[8];
        for (int j = 0; j < 8; j++) t[j] = i + j < n ? x[i + j] : 0;
        _mm256_storeu_ps(t, kk_exp8(_mm256_loadu_ps(t)));
        for (int j = 0; i + j < n; j++) y[i + j] = t[j];
    }
}

KK_TARGET void kk_avx2_softmax_round_f16(float *s, int64_t len, float mx) {
    const __m256 m = _mm256_set1_ps(mx);
    __m256d a0 = _mm256_setzero_pd(), a1 = _mm256_setzero_pd();
    int64_t p = 0;
    for (; p + 8 <= len; p += 8) {
        const __m256 e = kk_exp8(_mm256_sub_ps(_mm256_loadu_ps(s + p), m));
        _mm256_storeu_ps(s + p, e);
        a0 = _mm256_add_pd(a0, _mm256_cvtps_pd(_mm256_castps256_ps128(e)));
        a1 = _mm256_add_pd(a1, _mm256_cvtps_pd(_mm256_extractf128_ps(e, 1)));
    }
    double lanes[4];
    _mm256_storeu_pd(lanes, _mm256_add_pd(a0, a1));
    double sum = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    if (p < len) {
        float t[8];
        for (int j = 0; j < 8; j++) t[j] = p + j < len ? s[p + j] - mx : -INFINITY;
        _mm256_storeu_ps(t, kk_exp8(_mm256_loadu_ps(t)));
        for (int j = 0; p + j < len; j++) { s[p + j] = t[j]; sum += (double)t[j]; }
    }
    const __m256 inv = _mm256_set1_ps((float)(1.0 / sum));
    const float invs = (float)(1.0 / sum);
    p = 0;
    for (; p + 8 <= len; p += 8) _mm256_storeu_ps(s + p, _mm256_mul_ps(_mm256_loadu_ps(s + p), inv));
    for (; p < len; p++) s[p] *= invs;
    kk_avx2_round_f16(s, len);
}
#endif
