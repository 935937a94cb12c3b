// (No include guard: this is a template, included once per ISA.)
// Tile kernels for the K-quant weights Q4_K and Q6_K × Q8_K activations, compiled per x86 ISA.
// The including file defines KK_TARGET, KK_NAME(x), and
//   KK_MADD16(acc, a, b)  acc + the 8 i32 lanes of vpmaddwd(a, b) (one vpdpwssd on VNNI: exact)
//   KK_KQ_RT              weight rows per tile for n > 1 (2 on AVX2's 16 registers, 4 on 32)
//
// Layouts: see Sources/KingletKernels/Types/Q4_K.swift, Q6_K.swift, Q8_K.swift. A tile is RT rows
// × TT tokens (TT ≤ 4); per 32-element sub-block the weights are unpacked once for TT tokens.
//
// Bit-identical to ggml's AVX2 vec_dot_q4_K_q8_K / q6_K_q8_K: the same integer lanes (lane l of
// 8 holds bytes 4l…4l+3 of every 32-byte vector, times its sub-block scale: vpmaddubsw then
// vpmaddwd with the scales), the same f32 factors (d_x·d_w, and −d_x·dmin_w for Q4_K's mins in
// 4 lanes), the same FMAs per super-block and the same horizontal sums at the end.
#include "tile_walk.h"

enum { KK_Q4_K, KK_Q6_K };

static inline __attribute__((always_inline)) KK_TARGET
float KK_NAME(khsum8)(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_extractf128_ps(v, 1), _mm256_castps256_ps128(v));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

static inline __attribute__((always_inline)) KK_TARGET
float KK_NAME(khsum4)(__m128 s) {
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/// Every cache line of the super-block at p (`bytes` long) into L2, for a matrix × one token: the
/// rows 4 tiles ahead (into L1, and its first line only, the streams from DRAM waited).
static inline __attribute__((always_inline)) KK_TARGET
void KK_NAME(kprefetch)(const uint8_t *p, int bytes) {
    for (int off = 0; off < bytes; off += 64) _mm_prefetch((const char *)(p + off), _MM_HINT_T1);
}

/// Q4_K's 6-bit scales and mins of the super-block at blk: sc[8], mn[8].
static inline __attribute__((always_inline)) KK_TARGET
void KK_NAME(q4k_scales)(const uint8_t *blk, uint8_t sc[8], uint8_t mn[8]) {
    uint32_t u[3], s[2], m[2];
    memcpy(u, blk + 4, 12);
    s[0] = u[0] & 0x3f3f3f3f;
    s[1] = (u[2] & 0x0f0f0f0f) | ((u[0] >> 6) & 0x03030303) << 4;
    m[0] = u[1] & 0x3f3f3f3f;
    m[1] = ((u[2] >> 4) & 0x0f0f0f0f) | ((u[1] >> 6) & 0x03030303) << 4;
    memcpy(sc, s, 8);
    memcpy(mn, m, 8);
}

/// out[t, r] for RT rows at w and TT tokens at x, nsb super-blocks per row.
static inline __attribute__((always_inline)) KK_TARGET
void KK_NAME(q4k_tile)(const int RT, const int TT, const uint8_t *w, size_t wrb, const uint8_t *x, size_t xrb,
                       int64_t nsb, float *out, int64_t out_stride) {
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    __m256 acc[4][4];
    __m128 accm[4][4];
    for (int r = 0; r < RT; r++)
        for (int t = 0; t < TT; t++) { acc[r][t] = _mm256_setzero_ps(); accm[r][t] = _mm_setzero_ps(); }
    for (int64_t b = 0; b < nsb; b++) {
        uint8_t sc[4][8], mn[4][8];
        float dw[4], dmw[4], dx[4];
        __m128i mins[4];
        for (int r = 0; r < RT; r++) {
            const uint8_t *blk = w + r * wrb + b * 144;
            if (TT == 1) KK_NAME(kprefetch)(blk + 4 * RT * wrb, 144);
            dw[r] = _cvtsh_ss(*(const uint16_t *)blk);
            dmw[r] = _cvtsh_ss(*(const uint16_t *)(blk + 2));
            KK_NAME(q4k_scales)(blk, sc[r], mn[r]);
            mins[r] = _mm_cvtepu8_epi16(_mm_loadl_epi64((const __m128i *)mn[r]));
        }
        for (int t = 0; t < TT; t++) {
            const uint8_t *xb = x + t * xrb + b * 292;
            memcpy(&dx[t], xb, 4);
            // sums of each 32 activations: pairs of the 16 bsums
            const __m256i bs = _mm256_loadu_si256((const __m256i *)(xb + 260));
            const __m128i s32 = _mm_hadd_epi16(_mm256_castsi256_si128(bs), _mm256_extracti128_si256(bs, 1));
            for (int r = 0; r < RT; r++)
                accm[r][t] = _mm_fmadd_ps(_mm_set1_ps(-dx[t] * dmw[r]), _mm_cvtepi32_ps(_mm_madd_epi16(mins[r], s32)),
                                          accm[r][t]);
        }
        __m256i sumi[4][4];
        for (int r = 0; r < RT; r++)
            for (int t = 0; t < TT; t++) sumi[r][t] = _mm256_setzero_si256();
        for (int j = 0; j < 8; j++) {   // sub-block j: nibbles (j odd: high) of qs[32·(j/2) …]
            __m256i q[4], s[4];
            for (int r = 0; r < RT; r++) {
                const __m256i bytes = _mm256_loadu_si256((const __m256i *)(w + r * wrb + b * 144 + 16 + 32 * (j / 2)));
                q[r] = _mm256_and_si256(j & 1 ? _mm256_srli_epi16(bytes, 4) : bytes, low4);
                s[r] = _mm256_set1_epi16(sc[r][j]);
            }
            for (int t = 0; t < TT; t++) {
                const __m256i xv = _mm256_loadu_si256((const __m256i *)(x + t * xrb + b * 292 + 4 + 32 * j));
                for (int r = 0; r < RT; r++) sumi[r][t] = KK_MADD16(sumi[r][t], s[r], _mm256_maddubs_epi16(q[r], xv));
            }
        }
        for (int r = 0; r < RT; r++)
            for (int t = 0; t < TT; t++)
                acc[r][t] = _mm256_fmadd_ps(_mm256_set1_ps(dx[t] * dw[r]), _mm256_cvtepi32_ps(sumi[r][t]), acc[r][t]);
    }
    for (int r = 0; r < RT; r++)
        for (int t = 0; t < TT; t++)
            out[t * out_stride + r] = KK_NAME(khsum8)(acc[r][t]) + KK_NAME(khsum4)(accm[r][t]);
}

/// Q6_K: out[t, r] for RT rows at w and TT tokens at x. The weights are taken as unsigned q
/// (0…63) and the −32 offset as 32·Σ sc·bsum, subtracted from the integer lanes first.
static inline __attribute__((always_inline)) KK_TARGET
void KK_NAME(q6k_tile)(const int RT, const int TT, const uint8_t *w, size_t wrb, const uint8_t *x, size_t xrb,
                       int64_t nsb, float *out, int64_t out_stride) {
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    __m256 acc[4][4];
    for (int r = 0; r < RT; r++)
        for (int t = 0; t < TT; t++) acc[r][t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nsb; b++) {
        float dw[4], dx[4];
        __m256i sc16[4];
        const int8_t *scales[4];
        __m256i sumi[4][4];
        for (int r = 0; r < RT; r++) {
            const uint8_t *blk = w + r * wrb + b * 210;
            if (TT == 1) KK_NAME(kprefetch)(blk + 4 * RT * wrb, 210);
            dw[r] = _cvtsh_ss(*(const uint16_t *)(blk + 208));
            scales[r] = (const int8_t *)(blk + 192);
            sc16[r] = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(blk + 192)));
        }
        for (int t = 0; t < TT; t++) {
            const uint8_t *xb = x + t * xrb + b * 292;
            memcpy(&dx[t], xb, 4);
            const __m256i bs = _mm256_loadu_si256((const __m256i *)(xb + 260));
            for (int r = 0; r < RT; r++)
                sumi[r][t] = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(_mm256_madd_epi16(bs, sc16[r]), 5));
        }
        for (int m = 0; m < 8; m++) {   // elements 32m…32m+31: half h, quarter qq of it
            const int h = m / 4, qq = m % 4;
            __m256i q[4], s[4];
            for (int r = 0; r < RT; r++) {
                const uint8_t *blk = w + r * wrb + b * 210;
                const __m256i ql = _mm256_loadu_si256((const __m256i *)(blk + 64 * h + 32 * (qq & 1)));
                const __m256i qh = _mm256_loadu_si256((const __m256i *)(blk + 128 + 32 * h));
                const __m256i lo = _mm256_and_si256(qq < 2 ? ql : _mm256_srli_epi16(ql, 4), low4);
                __m256i hi = _mm256_and_si256(qh, _mm256_set1_epi8((char)(3 << (2 * qq))));
                hi = qq == 0 ? _mm256_slli_epi16(hi, 4) : qq == 1 ? _mm256_slli_epi16(hi, 2)
                   : qq == 2 ? hi : _mm256_srli_epi16(hi, 2);
                q[r] = _mm256_or_si256(lo, hi);
                s[r] = _mm256_set_m128i(_mm_set1_epi16(scales[r][2 * m + 1]), _mm_set1_epi16(scales[r][2 * m]));
            }
            for (int t = 0; t < TT; t++) {
                const __m256i xv = _mm256_loadu_si256((const __m256i *)(x + t * xrb + b * 292 + 4 + 32 * m));
                for (int r = 0; r < RT; r++) sumi[r][t] = KK_MADD16(sumi[r][t], s[r], _mm256_maddubs_epi16(q[r], xv));
            }
        }
        for (int r = 0; r < RT; r++)
            for (int t = 0; t < TT; t++)
                acc[r][t] = _mm256_fmadd_ps(_mm256_set1_ps(dx[t] * dw[r]), _mm256_cvtepi32_ps(sumi[r][t]), acc[r][t]);
    }
    for (int r = 0; r < RT; r++)
        for (int t = 0; t < TT; t++) out[t * out_stride + r] = KK_NAME(khsum8)(acc[r][t]);
}

/// Rows [r0, r1) × all n tokens.
static inline __attribute__((always_inline)) KK_TARGET
void KK_NAME(kgemm)(const int kind, const kk_gemm_args *a) {
    const int64_t nsb = a->k / 256, n = a->n;
    const uint8_t *x = (const uint8_t *)a->x, *w = (const uint8_t *)a->w;
    const size_t wrb = a->w_row_bytes, xrb = a->x_row_bytes;
#define KK_KTILE(RT, TT, r, t)                                                                             \
    do {                                                                                                   \
        if (kind == KK_Q4_K)                                                                               \
            KK_NAME(q4k_tile)(RT, TT, w + (r) * wrb, wrb, x + (t) * xrb, xrb, nsb,                         \
                              a->out + (t) * a->out_stride + (r), a->out_stride);                          \
        else                                                                                               \
            KK_NAME(q6k_tile)(RT, TT, w + (r) * wrb, wrb, x + (t) * xrb, xrb, nsb,                         \
                              a->out + (t) * a->out_stride + (r), a->out_stride);                          \
    } while (0)
    KK_TILE_WALK(KK_KTILE, a->r0, a->r1, n, 4, KK_KQ_RT);
#undef KK_KTILE
}

KK_TARGET void KK_NAME(gemm_q4_K)(const kk_gemm_args *a) { KK_NAME(kgemm)(KK_Q4_K, a); }
KK_TARGET void KK_NAME(gemm_q6_K)(const kk_gemm_args *a) { KK_NAME(kgemm)(KK_Q6_K, a); }
