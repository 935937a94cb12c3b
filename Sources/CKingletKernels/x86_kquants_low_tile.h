// (No include guard: a template, included once per ISA by x86_kquants_low.c.)
// The including file defines:
//   KK_TARGET                the function target attribute
//   KK_NAME(x)               the symbol prefix (kk_avx2_x, kk_vnni_x)
//   KK_GROUP_SCALES(a, b)    the scale vector for a 32-byte step: group a, then group b
//   KK_DOT_SCALED(u, x, s)   8 × i32 lanes: Σ of 4 adjacent u8·s8 products times the lane's scale

/// out[t, r] for one weight row `w` (nsb super-blocks) and TT (1…4) tokens from `x`.
/// Per super-block and token: s = Σ_g sc[g]·Σ u·x and c = Σ_g mn[g]·bsums[g] in 8 i32 lanes;
/// acc += (d_w·d_x)·s − (dmin_w·d_x)·c in 8 f32 lanes (Q3_K: (d_w·d_x)·(s − c), exact first).
static inline __attribute__((always_inline)) KK_TARGET
void KK_NAME(kq_tile)(const int kind, const int TT, const uint8_t *w, const uint8_t *x, size_t xrb,
                      int64_t nsb, float *out, int64_t out_stride) {
    const int wbs = kk_kq_block_bytes(kind);
    __m256 acc[4];
    for (int t = 0; t < TT; t++) acc[t] = _mm256_setzero_ps();
    _Alignas(32) uint8_t u[KK_QK];

    for (int64_t b = 0; b < nsb; b++) {
        const uint8_t *blk = w + b * wbs;
        if (TT == 1) _mm_prefetch((const char *)(blk + 4 * wbs), _MM_HINT_T0);
        int16_t sc[16], mn[16];
        kk_kq_scales(kind, blk, sc, mn);
        kk_x86_kq_unpack(kind, blk, u);
        __m256i scale[8];
        for (int v = 0; v < 8; v++) scale[v] = KK_GROUP_SCALES(sc[2 * v], sc[2 * v + 1]);
        const __m256i mins = _mm256_loadu_si256((const __m256i *)mn);
        const float dw = _cvtsh_ss(*(const uint16_t *)(blk + kk_kq_d_offset(kind)));
        const float mw = _cvtsh_ss(*(const uint16_t *)(blk + kk_kq_dmin_offset(kind)));

        for (int t = 0; t < TT; t++) {
            const uint8_t *xb = x + t * xrb + b * KK_Q8K_BYTES;
            const int8_t *xq = (const int8_t *)(xb + KK_Q8K_QS);
            __m256i s = _mm256_setzero_si256();
            for (int v = 0; v < 8; v++) {
                const __m256i uv = _mm256_load_si256((const __m256i *)(u + 32 * v));
                const __m256i xv = _mm256_loadu_si256((const __m256i *)(xq + 32 * v));
                s = _mm256_add_epi32(s, KK_DOT_SCALED(uv, xv, scale[v]));
            }
            const __m256i c = _mm256_madd_epi16(mins, _mm256_loadu_si256((const __m256i *)(xb + KK_Q8K_BSUMS)));
            const float dx = *(const float *)xb;
            if (kind == KK_Q3_K) {
                acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(dw * dx), _mm256_cvtepi32_ps(_mm256_sub_epi32(s, c)), acc[t]);
            } else {
                acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(dw * dx), _mm256_cvtepi32_ps(s), acc[t]);
                acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(-(mw * dx)), _mm256_cvtepi32_ps(c), acc[t]);
            }
        }
    }
    for (int t = 0; t < TT; t++) {
        __m128 h = _mm_add_ps(_mm256_castps256_ps128(acc[t]), _mm256_extractf128_ps(acc[t], 1));
        h = _mm_add_ps(h, _mm_movehl_ps(h, h));
        h = _mm_add_ss(h, _mm_movehdup_ps(h));
        out[t * out_stride] = _mm_cvtss_f32(h);
    }
}

#include "kquants_low_driver.h"
