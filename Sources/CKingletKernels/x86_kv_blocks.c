// Attention over a KV cache stored in ggml blocks (Q8_0 or Q4_0 keys and values; KVCache):
// the scores of one quantized query against a run of key rows, and the probability-weighted sum
// of a run of value rows. AVX2 (+FMA, F16C) and AVX-512 (F/BW/VL + VNNI). Plain Swift twins:
// KingletKernels/Reference/ReferenceKVBlocks.swift; AArch64 twins: arm_kv_blocks.c.
//
// Legend: nb = blocks per head row (head size / 32); row p of a run at base + p·stride bytes;
// sq[b] = Σ_j q[b].qs[j] (the query block's sum, for the unsigned-byte dot tricks).
#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>
#include "CKingletKernels.h"
#include "kv_accum_template.h"

#define KK_AVX2 __attribute__((target("avx2,fma,f16c")))
#define KK_AVX512 __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")))
#define KK_INLINE static inline __attribute__((always_inline))

KK_AVX2 static inline float kk_kv_half(const uint8_t *p) { uint16_t h; memcpy(&h, p, 2); return _cvtsh_ss(h); }

// MARK: - AVX2

KK_AVX2 static inline float kk_kv_hsum256(__m256 s) {
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_movehdup_ps(h));
    return _mm_cvtss_f32(h);
}

/// 16 bytes of Q4_0 nibbles → 32 unsigned bytes in element order (low nibbles, then high).
KK_AVX2 static inline __m256i kk_kv_nibbles256(const uint8_t *qs) {
    const __m128i b = _mm_loadu_si128((const __m128i *)qs);
    const __m256i x = _mm256_insertf128_si256(_mm256_castsi128_si256(b), _mm_srli_epi16(b, 4), 1);
    return _mm256_and_si256(x, _mm256_set1_epi8(0x0F));
}

/// Σ_j k_j·x_j of one block in 8 i32 lanes, keys Q8_0: signed × signed as |x| times k with x's
/// sign (vpmaddubsw).
KK_AVX2 KK_INLINE __m256i kk_avx2_dot_q8_0(__m256i x, const uint8_t *qs) {
    const __m256i y = _mm256_loadu_si256((const __m256i *)qs);
    return _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_sign_epi8(x, x), _mm256_sign_epi8(y, x)), _mm256_set1_epi16(1));
}

/// The same for Q4_0 keys: Σ (u − 8)·x as u·x − 8·x per pair, both exact in i16
/// (|u·x| ≤ 1905, |8·x| ≤ 1016 per element).
KK_AVX2 KK_INLINE __m256i kk_avx2_dot_q4_0(__m256i x, const uint8_t *qs) {
    const __m256i ux = _mm256_maddubs_epi16(kk_kv_nibbles256(qs), x);
    const __m256i x8 = _mm256_maddubs_epi16(_mm256_set1_epi8(8), x);
    return _mm256_madd_epi16(_mm256_sub_epi16(ux, x8), _mm256_set1_epi16(1));
}

/// scores[p] = K_p · q: per block the i32 lanes of DOT, scaled by d_q·d_k, summed in 8 f32 lanes.
#define KK_AVX2_SCORES(NAME, TYPE_BYTES, DOT)                                                               \
    KK_AVX2 void NAME(const void *q, const void *k, int64_t stride, int64_t len, int64_t nb, float *scores) { \
        const uint8_t *qb = q;                                                                               \
        for (int64_t p = 0; p < len; p++) {                                                                  \
            const uint8_t *kb = (const uint8_t *)k + p * stride;                                             \
            __m256 acc = _mm256_setzero_ps();                                                                \
            for (int64_t b = 0; b < nb; b++) {                                                               \
                const __m256i x = _mm256_loadu_si256((const __m256i *)(qb + 34 * b + 2));                    \
                const __m256i dot = DOT(x, kb + (TYPE_BYTES) * b + 2);                                       \
                const __m256 d = _mm256_set1_ps(kk_kv_half(qb + 34 * b) * kk_kv_half(kb + (TYPE_BYTES) * b)); \
                acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(dot), acc);                                      \
            }                                                                                                \
            scores[p] = kk_kv_hsum256(acc);                                                                  \
        }                                                                                                    \
    }

KK_AVX2_SCORES(kk_avx2_kv_scores_q8_0, 34, kk_avx2_dot_q8_0)
KK_AVX2_SCORES(kk_avx2_kv_scores_q4_0, 18, kk_avx2_dot_q4_0)

KK_AVX2 KK_INLINE void kk_avx2_load4_q8_0(const uint8_t *qs, __m256 x[4]) {
    for (int i = 0; i < 4; i++)
        x[i] = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(qs + 8 * i))));
}

KK_AVX2 KK_INLINE void kk_avx2_load4_q4_0(const uint8_t *qs, __m256 x[4]) {
    const __m128i b = _mm_loadu_si128((const __m128i *)qs), m = _mm_set1_epi8(0x0F), eight = _mm_set1_epi8(8);
    const __m128i lo = _mm_sub_epi8(_mm_and_si128(b, m), eight), hi = _mm_sub_epi8(_mm_and_si128(_mm_srli_epi16(b, 4), m), eight);
    x[0] = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(lo));
    x[1] = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(lo, 8)));
    x[2] = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(hi));
    x[3] = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(hi, 8)));
}

KK_KV_ACCUM(kk_avx2_kv_accum_q8_0, KK_AVX2, __m256, 4, 2, _mm256_set1_ps, _mm256_loadu_ps, _mm256_storeu_ps,
            _mm256_fmadd_ps, 34, kk_avx2_load4_q8_0)
KK_KV_ACCUM(kk_avx2_kv_accum_q4_0, KK_AVX2, __m256, 4, 2, _mm256_set1_ps, _mm256_loadu_ps, _mm256_storeu_ps,
            _mm256_fmadd_ps, 18, kk_avx2_load4_q4_0)

// MARK: - AVX-512 (VNNI): two blocks per 512-bit register

/// The query blocks as unsigned-dot partners: pairs of blocks in one register each, and per
/// lane the correction c·sq[b] / 8 (8 lanes per block) to subtract from vpdpbusd's sums.
/// Returns false when nb is too large for the stack arrays (the caller falls back to AVX2).
KK_AVX512 KK_INLINE int kk_kv_query512(const uint8_t *qb, int64_t nb, int bias, __m512i *xq, __m512i *corr, float *dq) {
    if (nb > 16) return 0;
    for (int64_t b = 0; b < nb; b++) {
        const int8_t *qs = (const int8_t *)(qb + 34 * b + 2);
        int s = 0;
        for (int j = 0; j < 32; j++) s += qs[j];
        dq[b] = kk_kv_half(qb + 34 * b);
        const __m256i x = _mm256_loadu_si256((const __m256i *)qs);
        const __m256i c = _mm256_set1_epi32(bias * s / 8);
        if (b % 2 == 0) { xq[b / 2] = _mm512_castsi256_si512(x); corr[b / 2] = _mm512_castsi256_si512(c); }
        else { xq[b / 2] = _mm512_inserti64x4(xq[b / 2], x, 1); corr[b / 2] = _mm512_inserti64x4(corr[b / 2], c, 1); }
    }
    if (nb % 2) { xq[nb / 2] = _mm512_inserti64x4(xq[nb / 2], _mm256_setzero_si256(), 1); corr[nb / 2] = _mm512_inserti64x4(corr[nb / 2], _mm256_setzero_si256(), 1); }
    return 1;
}

/// Scores with u = the key's bytes as unsigned (Q8_0: k + 128, bias 128; Q4_0: the nibble, bias
/// 8): Σ (u − bias)·q = vpdpbusd(u, q) − bias·sq, exact in i32.
#define KK_AVX512_SCORES(NAME, TYPE_BYTES, BIAS, LOADU, FALLBACK)                                            \
    KK_AVX512 void NAME(const void *q, const void *k, int64_t stride, int64_t len, int64_t nb, float *scores) { \
        __m512i xq[8], corr[8];                                                                              \
        float dq[16];                                                                                        \
        if (!kk_kv_query512(q, nb, BIAS, xq, corr, dq)) { FALLBACK(q, k, stride, len, nb, scores); return; }  \
        const int64_t pairs = (nb + 1) / 2;                                                                  \
        for (int64_t p = 0; p < len; p++) {                                                                  \
            const uint8_t *kb = (const uint8_t *)k + p * stride;                                             \
            __m512 acc = _mm512_setzero_ps();                                                                \
            for (int64_t i = 0; i < pairs; i++) {                                                            \
                const int64_t b = 2 * i;                                                                     \
                const int two = b + 1 < nb;                                                                  \
                const __m256i u0 = LOADU(kb + (TYPE_BYTES) * b + 2);                                         \
                const __m256i u1 = two ? LOADU(kb + (TYPE_BYTES) * (b + 1) + 2) : _mm256_setzero_si256();    \
                const __m512i u = _mm512_inserti64x4(_mm512_castsi256_si512(u0), u1, 1);                      \
                const __m512i dot = _mm512_sub_epi32(_mm512_dpbusd_epi32(_mm512_setzero_si512(), u, xq[i]), corr[i]); \
                const float d0 = dq[b] * kk_kv_half(kb + (TYPE_BYTES) * b);                                  \
                const float d1 = two ? dq[b + 1] * kk_kv_half(kb + (TYPE_BYTES) * (b + 1)) : 0;              \
                const __m512 d = _mm512_mask_blend_ps(0xFF00, _mm512_set1_ps(d0), _mm512_set1_ps(d1));       \
                acc = _mm512_fmadd_ps(d, _mm512_cvtepi32_ps(dot), acc);                                      \
            }                                                                                                \
            scores[p] = _mm512_reduce_add_ps(acc);                                                           \
        }                                                                                                    \
    }

KK_AVX512 KK_INLINE __m256i kk_kv_loadu_q8_0(const uint8_t *qs) {
    return _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)qs), _mm256_set1_epi8((char)0x80));
}
KK_AVX512 KK_INLINE __m256i kk_kv_loadu_q4_0(const uint8_t *qs) { return kk_kv_nibbles256(qs); }

KK_AVX512_SCORES(kk_avx512_kv_scores_q8_0, 34, 128, kk_kv_loadu_q8_0, kk_avx2_kv_scores_q8_0)
KK_AVX512_SCORES(kk_avx512_kv_scores_q4_0, 18, 8, kk_kv_loadu_q4_0, kk_avx2_kv_scores_q4_0)

// Values: 2 × 16 lanes per block, up to 8 blocks in registers.
KK_AVX512 KK_INLINE void kk_avx512_load2_q8_0(const uint8_t *qs, __m512 x[2]) {
    x[0] = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)qs)));
    x[1] = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(qs + 16))));
}

KK_AVX512 KK_INLINE void kk_avx512_load2_q4_0(const uint8_t *qs, __m512 x[2]) {
    const __m128i b = _mm_loadu_si128((const __m128i *)qs), m = _mm_set1_epi8(0x0F), eight = _mm_set1_epi8(8);
    x[0] = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_sub_epi8(_mm_and_si128(b, m), eight)));
    x[1] = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_sub_epi8(_mm_and_si128(_mm_srli_epi16(b, 4), m), eight)));
}

KK_KV_ACCUM(kk_avx512_kv_accum_q8_0, KK_AVX512, __m512, 2, 8, _mm512_set1_ps, _mm512_loadu_ps, _mm512_storeu_ps,
            _mm512_fmadd_ps, 34, kk_avx512_load2_q8_0)
KK_KV_ACCUM(kk_avx512_kv_accum_q4_0, KK_AVX512, __m512, 2, 8, _mm512_set1_ps, _mm512_loadu_ps, _mm512_storeu_ps,
            _mm512_fmadd_ps, 18, kk_avx512_load2_q4_0)
#endif
