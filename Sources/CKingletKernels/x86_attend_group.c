// Several queries of one GQA group (the query heads that share a KV head) attending over the same
// F16 positions in one pass: each key and value row is loaded and converted once for all of them
// instead of once per query. Per query the arithmetic is kk_avx2_attend_f16's, operation for
// operation (the same 4 × 8-lane dot chains and reduction, the same softmax, each output lane the
// same FMA chain from zero in position order), so the results are bit for bit those of calling it
// once per query (HalfVectorTests.groupMatchesOneQueryAtATimeExactly). The scores of eight
// positions are reduced together (kk_reduce8: the same tree, lane-parallel). Head sizes that are whole
// 32-element chunks (64, 128, 256, ...) take this path; others call the one-query kernel.
// Compiled twice: AVX2 (16 vector registers) and AVX-512 VL (32: four queries' accumulators stay
// in registers), the same instructions' results either way.
#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>
#include "CKingletKernels.h"

static inline __attribute__((always_inline, target("avx2,fma,f16c"))) __m256 kk_ld_h(const uint16_t *p) {
    return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p));
}

// The eight scores of positions p … p+7 from their dot products' lane sums t[0..7] (each the
// (a0 + a1) + (a2 + a3) of the one-query kernel), with that kernel's reduction tree exactly:
// lane i + lane i+4, then (0 + 2) and (1 + 3), then their sum; times scale. One transpose-like
// pass for eight scores instead of a horizontal reduction per score.
static inline __attribute__((always_inline, target("avx2,fma,f16c"))) __m256 kk_reduce8(const __m256 *t, float scale) {
    __m256 s[4];
    for (int i = 0; i < 4; i++)  // [t_i: l0+l4 … l3+l7 | t_i+4: the same]
        s[i] = _mm256_add_ps(_mm256_permute2f128_ps(t[i], t[i + 4], 0x20), _mm256_permute2f128_ps(t[i], t[i + 4], 0x31));
    const __m256 z01 = _mm256_add_ps(_mm256_shuffle_ps(s[0], s[1], 0x44), _mm256_shuffle_ps(s[0], s[1], 0xEE));
    const __m256 z23 = _mm256_add_ps(_mm256_shuffle_ps(s[2], s[3], 0x44), _mm256_shuffle_ps(s[2], s[3], 0xEE));
    const __m256 r = _mm256_add_ps(_mm256_shuffle_ps(z01, z23, 0x88), _mm256_shuffle_ps(z01, z23, 0xDD));
    return _mm256_mul_ps(r, _mm256_set1_ps(scale));  // positions p … p+3 | p+4 … p+7
}

// The lane sums of NQ queries' dot products with the key row at KP: four 8-lane FMA chains over
// the head, then (a0 + a1) + (a2 + a3), into LANES[0 … NQ-1]. Uses qh and dh of the caller.
#define KK_GROUP_LANES(NQ, KP, LANES)                                                                       \
    do {                                                                                                    \
        const uint16_t *kp_ = (KP);                                                                         \
        __m256 a[NQ][4];                                                                                    \
        for (int j = 0; j < NQ; j++) a[j][0] = a[j][1] = a[j][2] = a[j][3] = _mm256_setzero_ps();           \
        for (int64_t i = 0; i < dh; i += 32) {                                                              \
            const __m256 k0 = kk_ld_h(kp_ + i), k1 = kk_ld_h(kp_ + i + 8);                                  \
            const __m256 k2 = kk_ld_h(kp_ + i + 16), k3 = kk_ld_h(kp_ + i + 24);                            \
            for (int j = 0; j < NQ; j++) {                                                                  \
                a[j][0] = _mm256_fmadd_ps(_mm256_loadu_ps(qh[j] + i), k0, a[j][0]);                         \
                a[j][1] = _mm256_fmadd_ps(_mm256_loadu_ps(qh[j] + i + 8), k1, a[j][1]);                     \
                a[j][2] = _mm256_fmadd_ps(_mm256_loadu_ps(qh[j] + i + 16), k2, a[j][2]);                    \
                a[j][3] = _mm256_fmadd_ps(_mm256_loadu_ps(qh[j] + i + 24), k3, a[j][3]);                    \
            }                                                                                               \
        }                                                                                                   \
        for (int j = 0; j < NQ; j++)                                                                        \
            (LANES)[j] = _mm256_add_ps(_mm256_add_ps(a[j][0], a[j][1]), _mm256_add_ps(a[j][2], a[j][3]));   \
    } while (0)

// NQ queries (1 … 4) at q + j·q_stride; scores: NQ rows of len; out + j·out_stride.
#define KK_ATTEND_GROUP(NAME, TARGET, NQ)                                                                   \
static TARGET void NAME(const float *q, int64_t q_stride, const uint16_t *k, const uint16_t *v,            \
                        int64_t stride, int64_t len, int64_t dh, float scale, float *scores,                 \
                        float *out, int64_t out_stride) {                                                   \
    float qh[NQ][512];                                                                                      \
    float mxs[NQ];                                                                                          \
    for (int j = 0; j < NQ; j++) {                                                                          \
        for (int64_t i = 0; i < dh; i++) qh[j][i] = q[j * q_stride + i];                                    \
        kk_avx2_round_f16(qh[j], dh);                                                                       \
        mxs[j] = -INFINITY;                                                                                 \
    }                                                                                                       \
    __m256 vmx[NQ];                                                                                         \
    for (int j = 0; j < NQ; j++) vmx[j] = _mm256_set1_ps(-INFINITY);                                        \
    const int64_t len8 = len & ~(int64_t)7;                                                                 \
    for (int64_t p0 = 0; p0 < len8; p0 += 8) {                                                              \
        __m256 t[NQ][8];                                                                                    \
        for (int64_t pp = 0; pp < 8; pp++) {                                                                \
            __m256 lanes[NQ];                                                                               \
            KK_GROUP_LANES(NQ, k + (p0 + pp) * stride, lanes);                                              \
            for (int j = 0; j < NQ; j++) t[j][pp] = lanes[j];                                               \
        }                                                                                                   \
        for (int j = 0; j < NQ; j++) {                                                                      \
            const __m256 sc = kk_reduce8(t[j], scale);                                                      \
            _mm256_storeu_ps(scores + j * len + p0, sc);                                                    \
            vmx[j] = _mm256_max_ps(sc, vmx[j]);  /* a NaN score is passed over, as below */                 \
        }                                                                                                   \
    }                                                                                                       \
    for (int j = 0; j < NQ; j++) {                                                                          \
        float m8[8];                                                                                        \
        _mm256_storeu_ps(m8, vmx[j]);                                                                       \
        for (int l = 0; l < 8; l++) mxs[j] = m8[l] > mxs[j] ? m8[l] : mxs[j];                               \
    }                                                                                                       \
    for (int64_t p = len8; p < len; p++) {                                                                  \
        __m256 lanes[NQ];                                                                                   \
        KK_GROUP_LANES(NQ, k + p * stride, lanes);                                                          \
        for (int j = 0; j < NQ; j++) {                                                                      \
            const __m256 t = lanes[j];                                                                      \
            __m128 h = _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));                  \
            h = _mm_add_ps(h, _mm_movehl_ps(h, h));                                                         \
            h = _mm_add_ss(h, _mm_movehdup_ps(h));                                                          \
            const float sc = _mm_cvtss_f32(h) * scale;                                                      \
            scores[j * len + p] = sc;                                                                       \
            mxs[j] = sc > mxs[j] ? sc : mxs[j];                                                             \
        }                                                                                                   \
    }                                                                                                       \
    for (int j = 0; j < NQ; j++) kk_avx2_softmax_round_f16(scores + j * len, len, mxs[j]);                  \
    for (int64_t c = 0; c < dh; c += 32) {                                                                  \
        __m256 o[NQ][4];                                                                                    \
        for (int j = 0; j < NQ; j++) o[j][0] = o[j][1] = o[j][2] = o[j][3] = _mm256_setzero_ps();           \
        for (int64_t p = 0; p < len; p++) {                                                                 \
            const uint16_t *vp = v + p * stride + c;                                                        \
            const __m256 v0 = kk_ld_h(vp), v1 = kk_ld_h(vp + 8), v2 = kk_ld_h(vp + 16), v3 = kk_ld_h(vp + 24); \
            for (int j = 0; j < NQ; j++) {                                                                  \
                const __m256 w = _mm256_broadcast_ss(scores + j * len + p);                                 \
                o[j][0] = _mm256_fmadd_ps(w, v0, o[j][0]);                                                  \
                o[j][1] = _mm256_fmadd_ps(w, v1, o[j][1]);                                                  \
                o[j][2] = _mm256_fmadd_ps(w, v2, o[j][2]);                                                  \
                o[j][3] = _mm256_fmadd_ps(w, v3, o[j][3]);                                                  \
            }                                                                                               \
        }                                                                                                   \
        for (int j = 0; j < NQ; j++) {                                                                      \
            float *oj = out + j * out_stride + c;                                                           \
            _mm256_storeu_ps(oj, o[j][0]); _mm256_storeu_ps(oj + 8, o[j][1]);                               \
            _mm256_storeu_ps(oj + 16, o[j][2]); _mm256_storeu_ps(oj + 24, o[j][3]);                         \
        }                                                                                                   \
    }                                                                                                       \
}

#define KK_T_AVX2 __attribute__((target("avx2,fma,f16c")))
#define KK_T_AVX512 __attribute__((target("avx2,fma,f16c,avx512f,avx512vl")))
KK_ATTEND_GROUP(group1_avx2, KK_T_AVX2, 1)
KK_ATTEND_GROUP(group2_avx2, KK_T_AVX2, 2)
KK_ATTEND_GROUP(group3_avx2, KK_T_AVX2, 3)
KK_ATTEND_GROUP(group4_avx2, KK_T_AVX2, 4)
KK_ATTEND_GROUP(group1_avx512, KK_T_AVX512, 1)
KK_ATTEND_GROUP(group2_avx512, KK_T_AVX512, 2)
KK_ATTEND_GROUP(group3_avx512, KK_T_AVX512, 3)
KK_ATTEND_GROUP(group4_avx512, KK_T_AVX512, 4)

typedef void (*kk_group_fn)(const float *, int64_t, const uint16_t *, const uint16_t *, int64_t, int64_t, int64_t,
                            float, float *, float *, int64_t);

void kk_avx2_attend_f16_group(const float *q, int64_t q_stride, int64_t nq, const uint16_t *k, const uint16_t *v,
                              int64_t stride, int64_t len, int64_t dh, float scale, float *scores,
                              float *out, int64_t out_stride, int32_t wide) {
    if (dh % 32 != 0 || dh > 512) {
        for (int64_t j = 0; j < nq; j++)
            kk_avx2_attend_f16(q + j * q_stride, k, v, stride, len, dh, scale, scores + j * len, out + j * out_stride);
        return;
    }
    static const kk_group_fn avx2[4] = {group1_avx2, group2_avx2, group3_avx2, group4_avx2};
    static const kk_group_fn avx512[4] = {group1_avx512, group2_avx512, group3_avx512, group4_avx512};
    const kk_group_fn *fns = wide ? avx512 : avx2;
    for (int64_t j = 0; j < nq; j += 4) {
        const int64_t n = nq - j < 4 ? nq - j : 4;
        fns[n - 1](q + j * q_stride, q_stride, k, v, stride, len, dh, scale, scores + j * len, out + j * out_stride, out_stride);
    }
}
#endif
