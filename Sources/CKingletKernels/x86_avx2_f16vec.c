// F16 vector kernels for attention over an F16 KV cache: dot products with keys, scaled
// accumulation of values, and rounding to F16. AVX2 + F16C; called only when kk_cpu_features()
// reports KK_CPU_AVX2. Plain Swift twins: KingletKernels/Reference/ReferenceHalfVector.swift.
#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>
#include "CKingletKernels.h"

#define KK_TARGET __attribute__((target("avx2,fma,f16c")))

/// Σ q[i]·k[i], k in F16, f32 accumulation in 4 × 8 lanes. q, k: [n].
KK_TARGET float kk_avx2_dot_f16(const float *q, const uint16_t *k, int64_t n) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(k + i))), a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 8), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(k + i + 8))), a1);
        a2 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 16), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(k + i + 16))), a2);
        a3 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 24), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(k + i + 24))), a3);
    }
    for (; i + 8 <= n; i += 8) {
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(k + i))), a0);
    }
    __m256 s = _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3));
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_movehdup_ps(h));
    float r = _mm_cvtss_f32(h);
    for (; i < n; i++) r += q[i] * _cvtsh_ss(k[i]);
    return r;
}

/// y[i] += a·v[i], v in F16. v, y: [n].
KK_TARGET void kk_avx2_axpy_f16(float a, const uint16_t *v, float *y, int64_t n) {
    const __m256 va = _mm256_set1_ps(a);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 vv = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(v + i)));
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, vv, _mm256_loadu_ps(y + i)));
    }
    for (; i < n; i++) y[i] += a * _cvtsh_ss(v[i]);
}

/// x[i] ← f32(f16(x[i])), round to nearest even. x: [n].
KK_TARGET void kk_avx2_round_f16(float *x, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        _mm256_storeu_ps(x + i, _mm256_cvtph_ps(h));
    }
    for (; i < n; i++) x[i] = _cvtsh_ss(_cvtss_sh(x[i], _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}

/// dst[i] = f16(src[i]). src: [n] f32, dst: [n] f16.
KK_TARGET void kk_avx2_to_f16(const float *src, uint16_t *dst, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        _mm_storeu_si128((__m128i *)(dst + i), h);
    }
    for (; i < n; i++) dst[i] = _cvtss_sh(src[i], _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
#endif

#if defined(__x86_64__)
/// One query row attending over `len` cached positions of one KV head (F16 cache), the way
/// llama.cpp's non-flash path computes it: q rounded to F16, scores = (q·k)·scale in f32,
/// softmax with a vector exp and a double-precision sum (kk_avx2_softmax_round_f16, as ggml's
/// vectorized softmax), probabilities rounded to F16, out = Σ p·v.
/// q: [dh] f32; k, v: position p at k + p·stride (F16 bits); scores: [len] scratch; out: [dh].
KK_TARGET void kk_avx2_attend_f16(const float *q, const uint16_t *k, const uint16_t *v, int64_t stride,
                                  int64_t len, int64_t dh, float scale, float *scores, float *out) {
    float qh[512];
    for (int64_t i = 0; i < dh; i++) qh[i] = q[i];
    kk_avx2_round_f16(qh, dh);
    float mx = -INFINITY;
    for (int64_t p = 0; p < len; p++) {
        const float s = kk_avx2_dot_f16(qh, k + p * stride, dh) * scale;
        scores[p] = s;
        mx = s > mx ? s : mx;
    }
    kk_avx2_softmax_round_f16(scores, len, mx);
    // 64 outputs at a time stay in 8 registers across all positions (Gemma's 256: four passes),
    // instead of loading and storing the output row once per position; each output is the same
    // chain of FMAs from 0 in position order either way. A tail of dh mod 64 goes through axpy.
    int64_t c = 0;
    for (; c + 64 <= dh; c += 64) {
        __m256 o0 = _mm256_setzero_ps(), o1 = _mm256_setzero_ps(), o2 = _mm256_setzero_ps(), o3 = _mm256_setzero_ps();
        __m256 o4 = _mm256_setzero_ps(), o5 = _mm256_setzero_ps(), o6 = _mm256_setzero_ps(), o7 = _mm256_setzero_ps();
        for (int64_t p = 0; p < len; p++) {
            const __m256 w = _mm256_broadcast_ss(scores + p);
            const uint16_t *vp = v + p * stride + c;
            o0 = _mm256_fmadd_ps(w, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(vp + 0))), o0);
            o1 = _mm256_fmadd_ps(w, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(vp + 8))), o1);
            o2 = _mm256_fmadd_ps(w, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(vp + 16))), o2);
            o3 = _mm256_fmadd_ps(w, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(vp + 24))), o3);
            o4 = _mm256_fmadd_ps(w, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(vp + 32))), o4);
            o5 = _mm256_fmadd_ps(w, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(vp + 40))), o5);
            o6 = _mm256_fmadd_ps(w, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(vp + 48))), o6);
            o7 = _mm256_fmadd_ps(w, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(vp + 56))), o7);
        }
        _mm256_storeu_ps(out + c + 0, o0); _mm256_storeu_ps(out + c + 8, o1);
        _mm256_storeu_ps(out + c + 16, o2); _mm256_storeu_ps(out + c + 24, o3);
        _mm256_storeu_ps(out + c + 32, o4); _mm256_storeu_ps(out + c + 40, o5);
        _mm256_storeu_ps(out + c + 48, o6); _mm256_storeu_ps(out + c + 56, o7);
    }
    if (c == dh) return;
    for (int64_t i = c; i < dh; i++) out[i] = 0;
    for (int64_t p = 0; p < len; p++) kk_avx2_axpy_f16(scores[p], v + p * stride + c, out + c, dh - c);
}
#endif
