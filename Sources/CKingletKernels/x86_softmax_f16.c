// The softmax of attention over an F16 cache, 8 lanes at a time: the vector exp (x86_exp8.h),
// the sum in double, the probabilities rounded to F16. Shared by the one-query and the group
// kernels, so both give the same numbers. Plain Swift twin: KingletKernels/Reference/SoftmaxExp.swift.
#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>
#include "CKingletKernels.h"

#define KK_TARGET __attribute__((target("avx2,fma,f16c")))

#include "x86_exp8.h"

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
