// (No include guard: this is a template, included once per ISA.)
// Tile kernels for 4/8-bit weights × 8-bit activations, written once and compiled per x86 ISA.
// The including file defines:
//   KK_TARGET          the function target attribute
//   KK_NAME(x)         the symbol prefix (kk_avx2_x, kk_vnni_x)
//   KK_DOT_U8S8(u, s)  8 × i32 lanes, each the sum of 4 adjacent u8 × s8 products (exact)
//   KK_R8_TT           tokens per interleaved tile (2 with 32 vector registers, 1 with 16)
//   KK_R8_MINS         1 if Q4_1/Q5_1 batches take the interleaved tiles too
//
// A tile is RT weight rows × TT tokens: each weight block is loaded and unpacked once and used
// for TT tokens, each activation block once for RT rows. Per block and pair the integer dot is
// exact; it is scaled by d_w·d_x (one f32 product, as ggml does) and summed in 8 f32 lanes.
// Q4_0, Q5_0 and Q8_0 weights are signed, so they use the sign trick: |w| (unsigned) × sign(x, w).
// Q4_1's and Q5_1's m_w·s_x term is summed per row in a 8-lane vector, one lane per token.
// Q5_0 and Q5_1 are bit-identical to ggml's AVX2 vec_dot as Q4_0/Q4_1 are (same integer lanes,
// same f32 scale d_w·d_x, same FMA order and horizontal sum). Batches of 4+ tokens of the nibble
// types take the row-interleaved tiles below (qgemm_r8), which do the same arithmetic per lane.

#include <string.h>

// acc + (4-product sums): one vpdpbusd with VNNI (which defines it), else the add of KK_DOT_U8S8.
#ifndef KK_DOT_U8S8_ACC
#define KK_DOT_U8S8_ACC(acc, u, s) _mm256_add_epi32((acc), KK_DOT_U8S8((u), (s)))
#define KK_DOT_U8S8_ACC_LOCAL
#endif

enum { KK_Q4_0, KK_Q4_1, KK_Q8_0, KK_Q5_0, KK_Q5_1 };

/// 0xFF in byte i where bit i of the 32-bit little-endian word at p is set (Q5's fifth bits).
static inline __attribute__((always_inline)) KK_TARGET
__m256i KK_NAME(bits32)(const uint8_t *p) {
    uint32_t h;
    memcpy(&h, p, 4);
    const __m256i spread = _mm256_shuffle_epi8(_mm256_set1_epi32((int)h),
        _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0));
    const __m256i bit = _mm256_set1_epi64x((int64_t)0x8040201008040201ull);
    return _mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit);
}

static inline __attribute__((always_inline)) KK_TARGET
float KK_NAME(hsum)(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/// One weight block at `blk` as 32 unsigned bytes `u` for the u8·s8 dot; for the signed kinds
/// also the signed values `sgn` (u = |sgn|, whose signs move onto the activations).
static inline __attribute__((always_inline)) KK_TARGET
void KK_NAME(unpack)(const int kind, const uint8_t *blk, __m256i *u, __m256i *sgn) {
    const size_t wqs = kind == KK_Q4_0 ? 2 : kind == KK_Q4_1 ? 4 : kind == KK_Q5_0 ? 6 : 8;  // nibbles
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    if (kind == KK_Q8_0) {
        *sgn = _mm256_loadu_si256((const __m256i *)(blk + 2));
        *u = _mm256_abs_epi8(*sgn);
    } else {
        const __m128i q = _mm_loadu_si128((const __m128i *)(blk + wqs));
        // bytes 0-15: low nibbles (elements 0-15), bytes 16-31: high nibbles (16-31)
        const __m256i nib = _mm256_and_si256(
            _mm256_set_m128i(_mm_srli_epi16(q, 4), q), low4);
        if (kind == KK_Q4_1) {
            *u = nib;
        } else if (kind == KK_Q5_1) {   // fifth bit from qh: q = nib | 16·bit
            *u = _mm256_or_si256(nib, _mm256_and_si256(KK_NAME(bits32)(blk + 4), _mm256_set1_epi8(0x10)));
        } else if (kind == KK_Q5_0) {   // q − 16 = nib − 16 + 16·bit: nib | 0xF0 where the bit is clear
            *sgn = _mm256_or_si256(nib, _mm256_andnot_si256(KK_NAME(bits32)(blk + 2), _mm256_set1_epi8((char)0xF0)));
            *u = _mm256_abs_epi8(*sgn);
        } else {
            *sgn = _mm256_sub_epi8(nib, _mm256_set1_epi8(8));
            *u = _mm256_abs_epi8(*sgn);
        }
    }
}

/// One tile: out[t, r] for RT rows starting at `w` and TT tokens starting at `x`.
/// dx: [TT, nb] activation scales of these tokens (row stride `dstride`);
/// sxt: Q4_1 only, the activation sums transposed, [nb, sstride] starting at the first token
/// (at least 8 readable floats per block).
static inline __attribute__((always_inline)) KK_TARGET
void KK_NAME(qtile)(const int kind, const int RT, const int TT,
                    const uint8_t *w, size_t wrb, const uint8_t *x, size_t xrb,
                    const float *dx, int64_t dstride, const float *sxt, int64_t sstride, int64_t nb,
                    float *out, int64_t out_stride) {
    const int has_m = kind == KK_Q4_1 || kind == KK_Q5_1;                 // w = q·d + m, × Q8_1
    const size_t wbs = kind == KK_Q4_0 ? 18 : kind == KK_Q4_1 ? 20 : kind == KK_Q5_0 ? 22
                     : kind == KK_Q5_1 ? 24 : 34;                         // weight block bytes
    const size_t xbs = has_m ? 36 : 34;                                   // activation block bytes
    const size_t xqs = has_m ? 4 : 2;                                     // offset of qs
    __m256 acc[4][8];
    __m256 msum[4];   // Q4_1, Q5_1: lane t holds Σ_b m_w · s_x of token t
    for (int r = 0; r < RT; r++) {
        msum[r] = _mm256_setzero_ps();
        for (int t = 0; t < TT; t++) acc[r][t] = _mm256_setzero_ps();
    }

    for (int64_t b = 0; b < nb; b++) {
        __m256i u[4], sgn[4];
        __m256 dw[4];
        const __m256 sx = has_m ? _mm256_loadu_ps(sxt + b * sstride) : _mm256_setzero_ps();
        for (int r = 0; r < RT; r++) {
            const uint8_t *blk = w + r * wrb + b * wbs;
            if (TT == 1) _mm_prefetch((const char *)(blk + 4 * RT * wrb), _MM_HINT_T0);  // next tile's rows
            if (has_m) {
                // d and m are adjacent f16s: one conversion for both
                const __m128 dm = _mm_cvtph_ps(_mm_cvtsi32_si128(*(const int32_t *)blk));
                dw[r] = _mm256_broadcastss_ps(dm);
                msum[r] = _mm256_fmadd_ps(_mm256_broadcastss_ps(_mm_movehdup_ps(dm)), sx, msum[r]);
            } else {
                dw[r] = _mm256_broadcastss_ps(_mm_cvtph_ps(_mm_cvtsi32_si128(*(const uint16_t *)blk)));
            }
            KK_NAME(unpack)(kind, blk, &u[r], &sgn[r]);
        }
        for (int t = 0; t < TT; t++) {
            const __m256i xv = _mm256_loadu_si256((const __m256i *)(x + t * xrb + b * xbs + xqs));
            const __m256 d = _mm256_broadcast_ss(dx + t * dstride + b);
            for (int r = 0; r < RT; r++) {
                const __m256i s = has_m ? xv : _mm256_sign_epi8(xv, sgn[r]);
                const __m256 p = _mm256_cvtepi32_ps(KK_DOT_U8S8(u[r], s));
                // (d_w · d_x) · Σq: the same f32 rounding as ggml's per-block scale
                acc[r][t] = _mm256_fmadd_ps(_mm256_mul_ps(dw[r], d), p, acc[r][t]);
            }
        }
    }

    for (int r = 0; r < RT; r++) {
        float m[8];
        _mm256_storeu_ps(m, msum[r]);
        for (int t = 0; t < TT; t++)
            out[t * out_stride + r] = KK_NAME(hsum)(acc[r][t]) + (has_m ? m[t] : 0.0f);
    }
}

/// The horizontal sums of 8 accumulators at once: lane i = Σ a[i], added in hsum's order
/// ((l0+l4)+(l2+l6))+((l1+l5)+(l3+l7)), so each lane is bit-identical to hsum(a[i]).
static inline __attribute__((always_inline)) KK_TARGET
__m256 KK_NAME(hsum8)(const __m256 a[8]) {
    __m256d c[4];
    for (int i = 0; i < 4; i++)   // lanes j of a[i] | a[i+4]: l_j + l_j+4
        c[i] = _mm256_castps_pd(_mm256_add_ps(_mm256_permute2f128_ps(a[i], a[i + 4], 0x20),
                                              _mm256_permute2f128_ps(a[i], a[i + 4], 0x31)));
    // per 128-bit half: (l0+l2, l1+l3) of a[i] then a[i+1]
    const __m256 e01 = _mm256_add_ps(_mm256_castpd_ps(_mm256_unpacklo_pd(c[0], c[1])),
                                     _mm256_castpd_ps(_mm256_unpackhi_pd(c[0], c[1])));
    const __m256 e23 = _mm256_add_ps(_mm256_castpd_ps(_mm256_unpacklo_pd(c[2], c[3])),
                                     _mm256_castpd_ps(_mm256_unpackhi_pd(c[2], c[3])));
    return _mm256_add_ps(_mm256_shuffle_ps(e01, e23, _MM_SHUFFLE(2, 0, 2, 0)),
                         _mm256_shuffle_ps(e01, e23, _MM_SHUFFLE(3, 1, 3, 1)));
}

/// Low 16 bits of 8 i32 lanes as 8 × u16.
static inline __attribute__((always_inline)) KK_TARGET
__m128i KK_NAME(low16)(__m256i v) {
    const __m256i p = _mm256_packus_epi32(_mm256_and_si256(v, _mm256_set1_epi32(0xFFFF)), _mm256_setzero_si256());
    return _mm256_castsi256_si128(_mm256_permute4x64_epi64(p, _MM_SHUFFLE(3, 1, 2, 0)));
}

/// The longest row (in blocks) qmatvec8 takes; its scale table lives on the stack.
enum { KK_MATVEC_MAX_NB = 256 };

/// Matrix × one token, 8 rows at a time: out[r] for 8 rows starting at `w`; the same sums as
/// qtile(kind, 1, 1, …) per row, bit for bit. On short rows (Gemma 3's 640-wide output head:
/// 20 blocks) qtile's matvec waits on memory: one prefetch per block reaches too few lines
/// ahead. Here the 8 rows' scales are first gathered (converted, ×d_x, for all blocks, in one
/// pass that also touches every line of the tile) while the tile two ahead is prefetched line
/// by line; then the dots run from L1 and one transposed reduction ends 8 rows.
/// dx: [nb] activation scales; sx: Q4_1/Q5_1 only, [nb] activation sums (stride sstride).
static inline __attribute__((always_inline)) KK_TARGET
void KK_NAME(qmatvec8)(const int kind, const uint8_t *w, size_t wrb, const uint8_t *x,
                       const float *dx, const float *sx, int64_t sstride, int64_t nb, float *out) {
    const int has_m = kind == KK_Q4_1 || kind == KK_Q5_1;
    const size_t wbs = kind == KK_Q4_0 ? 18 : kind == KK_Q4_1 ? 20 : kind == KK_Q5_0 ? 22
                     : kind == KK_Q5_1 ? 24 : 34;                         // weight block bytes
    const size_t xbs = has_m ? 36 : 34, xqs = has_m ? 4 : 2;
    for (size_t off = 0; off < 8 * wrb; off += 64)
        _mm_prefetch((const char *)(w + 16 * wrb + off), _MM_HINT_T0);
    const __m256i rowoff = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int)wrb));
    float d[KK_MATVEC_MAX_NB][8];   // [nb, 8]: d_w · d_x of block b, row i
    __m256 msum = _mm256_setzero_ps();   // Q4_1, Q5_1: lane i holds Σ_b m_w · s_x of row i
    for (int64_t b = 0; b < nb; b++) {
        const __m256i h = _mm256_i32gather_epi32((const int *)(w + b * wbs), rowoff, 1);  // d | m << 16
        _mm256_storeu_ps(d[b], _mm256_mul_ps(_mm256_cvtph_ps(KK_NAME(low16)(h)), _mm256_set1_ps(dx[b])));
        if (has_m)
            msum = _mm256_fmadd_ps(_mm256_cvtph_ps(KK_NAME(low16)(_mm256_srli_epi32(h, 16))),
                                   _mm256_set1_ps(sx[b * sstride]), msum);
    }
    __m256 acc[8];
    for (int i = 0; i < 8; i++) acc[i] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        const __m256i xv = _mm256_loadu_si256((const __m256i *)(x + b * xbs + xqs));
        for (int i = 0; i < 8; i++) {
            __m256i u, sgn;
            KK_NAME(unpack)(kind, w + i * wrb + b * wbs, &u, &sgn);
            const __m256i s = has_m ? xv : _mm256_sign_epi8(xv, sgn);
            acc[i] = _mm256_fmadd_ps(_mm256_broadcast_ss(&d[b][i]), _mm256_cvtepi32_ps(KK_DOT_U8S8(u, s)), acc[i]);
        }
    }
    const __m256 sums = KK_NAME(hsum8)(acc);
    _mm256_storeu_ps(out, has_m ? _mm256_add_ps(sums, msum) : sums);
}

// MARK: Row-interleaved batches (Q4_0, Q4_1, Q5_0, Q5_1 × ≥ 4 tokens)
//
// For a batch, eight weight rows are first unpacked into a per-thread buffer as signed 8-bit
// values (q − 8 for Q4_0, q − 16 for Q5_0, q for Q4_1/Q5_1), interleaved so one 32-byte vector
// holds 4 consecutive elements ("group" j of the block) of each of the 8 rows, and the token's
// activation bytes are shifted to unsigned (x + 128). Then per block, group and token one u8·s8
// dot gives the 8 rows' group sums Σ (x + 128)·w; starting it from −128·Σw (stored with the
// rows) leaves exactly Σ x·w, the integer qtile's lane j holds. The f32 work follows qtile lane
// for lane: lane j of row r accumulates fma(d_w·d_x, (float)group sum, ·) block after block (8
// accumulators, one per group, each with the 8 rows in its lanes), and the end adds the 8 in
// hsum's order, then Σ m_w·s_x (Q4_1/Q5_1). So every output is bit for bit qtile's — and
// ggml's vec_dot — whatever the batch; only the work is shared: one weight load, one shift of
// the activations and one d_w·d_x product serve 8 rows.
//
// KK_R8_TT tokens share each weight load (2 on AVX-512VL's 32 registers, 1 on AVX2's 16).

/// A Q4_0/Q4_1/Q5_0/Q5_1 block's 32 values as signed bytes w (q minus the offset), in element order.
static inline __attribute__((always_inline)) KK_TARGET
__m256i KK_NAME(unpack_w)(const int kind, const uint8_t *blk) {
    const size_t wqs = kind == KK_Q4_0 ? 2 : kind == KK_Q4_1 ? 4 : kind == KK_Q5_0 ? 6 : 8;
    const __m128i q = _mm_loadu_si128((const __m128i *)(blk + wqs));
    __m256i u = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(q, 4), q), _mm256_set1_epi8(0x0F));
    if (kind == KK_Q5_0 || kind == KK_Q5_1)
        u = _mm256_or_si256(u, _mm256_and_si256(KK_NAME(bits32)(blk + (kind == KK_Q5_0 ? 2 : 4)), _mm256_set1_epi8(0x10)));
    const int off = kind == KK_Q4_0 ? 8 : kind == KK_Q5_0 ? 16 : 0;
    return off ? _mm256_sub_epi8(u, _mm256_set1_epi8((char)off)) : u;
}

/// Eight rows starting at `w` into buf [nb][8 groups][8 rows] (4 signed bytes each), the
/// corrections corr [nb][8 groups][8 rows] = −128·Σ of the group's 4 values, the scales
/// dws [nb][8] and (Q4_1/Q5_1) the mins ms [nb][8].
static inline __attribute__((always_inline)) KK_TARGET
void KK_NAME(pack_r8)(const int kind, const uint8_t *w, size_t wrb, int64_t nb, uint32_t *buf, int32_t *corr,
                      float *dws, float *ms) {
    const int has_m = kind == KK_Q4_1 || kind == KK_Q5_1;
    const size_t wbs = kind == KK_Q4_0 ? 18 : kind == KK_Q4_1 ? 20 : kind == KK_Q5_0 ? 22 : 24;
    for (int i = 0; i < 8; i++) {
        const uint8_t *row = w + i * wrb;
        for (int64_t b = 0; b < nb; b++) {
            const uint8_t *blk = row + b * wbs;
            const __m256i v = KK_NAME(unpack_w)(kind, blk);
            uint32_t groups[8];
            _mm256_storeu_si256((__m256i *)groups, v);
            // group sums: 16-bit pairs of (1 × w), then 4-sums
            int32_t sums[8];
            _mm256_storeu_si256((__m256i *)sums, _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(1), v), _mm256_set1_epi16(1)));
            for (int j = 0; j < 8; j++) {
                buf[b * 64 + j * 8 + i] = groups[j];
                corr[b * 64 + j * 8 + i] = -128 * sums[j];
            }
            dws[b * 8 + i] = _cvtsh_ss(*(const uint16_t *)blk);
            if (has_m) ms[b * 8 + i] = _cvtsh_ss(*(const uint16_t *)(blk + 2));
        }
    }
}

/// out[t, 0..<8] for TT tokens against the packed rows. xu: the tokens' activation bytes + 128,
/// [TT, nb, 32] (row stride xus); dx: [TT, nb] scales; sxt: Q4_1/Q5_1 sums transposed [nb, sstride].
static inline __attribute__((always_inline)) KK_TARGET
void KK_NAME(r8tile)(const int kind, const int TT, const uint32_t *buf, const int32_t *corr, const float *dws, const float *ms,
                     const uint8_t *xu, int64_t xus, const float *dx, const float *sxt, int64_t sstride,
                     int64_t nb, float *out, int64_t out_stride) {
    const int has_m = kind == KK_Q4_1 || kind == KK_Q5_1;
    __m256 acc[KK_R8_TT][8];
    __m256 macc[KK_R8_TT];
    for (int t = 0; t < TT; t++) {
        macc[t] = _mm256_setzero_ps();
        for (int j = 0; j < 8; j++) acc[t][j] = _mm256_setzero_ps();
    }
    for (int64_t b = 0; b < nb; b++) {
        const __m256 dw = _mm256_loadu_ps(dws + b * 8);
        __m256 scale[KK_R8_TT];
        for (int t = 0; t < TT; t++) {
            scale[t] = _mm256_mul_ps(dw, _mm256_set1_ps(dx[t * nb + b]));
            if (has_m) macc[t] = _mm256_fmadd_ps(_mm256_loadu_ps(ms + b * 8), _mm256_set1_ps(sxt[b * sstride + t]), macc[t]);
        }
        for (int j = 0; j < 8; j++) {
            const __m256i wv = _mm256_loadu_si256((const __m256i *)(buf + b * 64 + j * 8));
            const __m256i cv = _mm256_loadu_si256((const __m256i *)(corr + b * 64 + j * 8));
            for (int t = 0; t < TT; t++) {
                int32_t xv;
                memcpy(&xv, xu + t * xus + b * 32 + 4 * j, 4);
                const __m256i dot = KK_DOT_U8S8_ACC(cv, _mm256_set1_epi32(xv), wv);   // Σ x·w of group j, 8 rows
                acc[t][j] = _mm256_fmadd_ps(scale[t], _mm256_cvtepi32_ps(dot), acc[t][j]);
            }
        }
    }
    for (int t = 0; t < TT; t++) {
        // hsum's order: ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7))
        const __m256 even = _mm256_add_ps(_mm256_add_ps(acc[t][0], acc[t][4]), _mm256_add_ps(acc[t][2], acc[t][6]));
        const __m256 odd = _mm256_add_ps(_mm256_add_ps(acc[t][1], acc[t][5]), _mm256_add_ps(acc[t][3], acc[t][7]));
        // + m (or + 0.0f, as qtile adds: −0 becomes +0 the same way)
        const __m256 sum = _mm256_add_ps(_mm256_add_ps(even, odd), has_m ? macc[t] : _mm256_setzero_ps());
        _mm256_storeu_ps(out + t * out_stride, sum);
    }
}

/// Rows [r0, r0 + 8·⌊(r1 − r0)/8⌋) × n tokens through the interleaved tiles; returns the first
/// row it left (the rest go to qtile): r0 when the scratch cannot be had.
static inline __attribute__((always_inline)) KK_TARGET
int64_t KK_NAME(qgemm_r8)(const int kind, const kk_gemm_args *a, const float *dx, const float *sxt, int64_t sstride) {
    const int64_t nb = a->k / 32, n = a->n;
    const int has_m = kind == KK_Q4_1 || kind == KK_Q5_1;
    const size_t xbs = has_m ? 36 : 34, xqs = has_m ? 4 : 2;
    const uint8_t *x = (const uint8_t *)a->x;
    const uint8_t *w = (const uint8_t *)a->w;
    const int64_t rows = (a->r1 - a->r0) / 8 * 8;
    if (rows == 0) return a->r0;
    // scratch: packed rows and corrections (nb·512 bytes), scales and mins (nb·64), shifted activations (n·nb·32)
    const size_t bytes = (size_t)nb * 512 + (size_t)nb * 64 + (size_t)(n * nb) * 32;
    uint8_t *scratch = (uint8_t *)malloc(bytes);
    if (!scratch) return a->r0;
    uint32_t *buf = (uint32_t *)scratch;
    int32_t *corr = (int32_t *)(scratch + nb * 256);
    float *dws = (float *)(scratch + nb * 512), *ms = dws + nb * 8;
    uint8_t *xu = (uint8_t *)(ms + nb * 8);
    const __m256i flip = _mm256_set1_epi8((char)0x80);
    for (int64_t t = 0; t < n; t++)
        for (int64_t b = 0; b < nb; b++)
            _mm256_storeu_si256((__m256i *)(xu + (t * nb + b) * 32),
                                _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(x + t * a->x_row_bytes + b * xbs + xqs)), flip));
    for (int64_t r = a->r0; r < a->r0 + rows; r += 8) {
        KK_NAME(pack_r8)(kind, w + r * a->w_row_bytes, a->w_row_bytes, nb, buf, corr, dws, ms);
        for (int64_t t = 0; t < n; t += KK_R8_TT) {
#define KK_R8(TT) KK_NAME(r8tile)(kind, TT, buf, corr, dws, ms, xu + t * nb * 32, nb * 32, dx + t * nb, sxt + t, sstride, nb, \
                                  a->out + t * a->out_stride + r, a->out_stride)
            if (KK_R8_TT > 1 && n - t >= KK_R8_TT) KK_R8(KK_R8_TT); else KK_R8(1);
#undef KK_R8
        }
    }
    free(scratch);
    return a->r0 + rows;
}

/// Rows [r0, r1) × all n tokens for weight kind `kind`.
static inline __attribute__((always_inline)) KK_TARGET
void KK_NAME(qgemm)(const int kind, const kk_gemm_args *a) {
    const int64_t nb = a->k / 32, n = a->n;
    const int has_m = kind == KK_Q4_1 || kind == KK_Q5_1;
    const size_t xbs = has_m ? 36 : 34;
    const uint8_t *x = (const uint8_t *)a->x;
    const uint8_t *w = (const uint8_t *)a->w;

    // Activation scales as f32, converted once and used by every row:
    // dx [n, nb]; Q4_1's sums transposed, sxt [nb, n + 7] (7 zero pad floats for 8-wide loads).
    const int64_t sstride = n + 7;
    float stack_scales[2048];
    const int64_t need = n * nb + (has_m ? nb * sstride : 0);
    float *dx = need <= 2048 ? stack_scales : (float *)malloc((size_t)need * sizeof(float));
    float *sxt = dx + n * nb;
    for (int64_t t = 0; t < n; t++) {
        for (int64_t b = 0; b < nb; b++) {
            const uint8_t *blk = x + t * a->x_row_bytes + b * xbs;
            dx[t * nb + b] = _cvtsh_ss(*(const uint16_t *)blk);
            if (has_m) sxt[b * sstride + t] = _cvtsh_ss(*(const uint16_t *)(blk + 2));
        }
    }
    if (has_m)
        for (int64_t b = 0; b < nb; b++)
            for (int64_t j = n; j < sstride; j++) sxt[b * sstride + j] = 0;

#define KK_TILE(RT, TT, r, t) \
    KK_NAME(qtile)(kind, RT, TT, w + (r) * a->w_row_bytes, a->w_row_bytes, \
                   x + (t) * a->x_row_bytes, a->x_row_bytes, dx + (t) * nb, nb, sxt + (t), sstride, nb, \
                   a->out + (t) * a->out_stride + (r), a->out_stride)

    if (n == 1) {
        // matvec: 4 rows at a time keeps 4 independent weight streams in flight; Q8_0 first takes
        // 8 rows at a time (qmatvec8). Measured on Zen 4 (Gemma 3's head, 640 wide, from DRAM):
        // Q8_0 2–2.5× faster that way, but Q4_1 (576) and Q5_0 (640) 2–2.5× slower, so they keep qtile.
        int64_t r = a->r0;
        if (kind == KK_Q8_0 && nb <= KK_MATVEC_MAX_NB && a->w_row_bytes <= INT32_MAX / 8)
            for (; r + 8 <= a->r1; r += 8)
                KK_NAME(qmatvec8)(kind, w + r * a->w_row_bytes, a->w_row_bytes, x, dx, sxt, sstride, nb, a->out + r);
        for (; r + 4 <= a->r1; r += 4) KK_TILE(4, 1, r, 0);
        for (; r < a->r1; r++) KK_TILE(1, 1, r, 0);
    } else {
        // 16-row blocks stay in L1/L2 while every token group passes over them; a tile is
        // 1 row × 8 tokens: one weight unpack serves 8 tokens and 8 accumulators leave
        // registers for the rest (2 × 4 spilled on AVX2's 16 registers).
        // Nibble types in batches of 4+ tokens: 8 rows at a time through the interleaved tiles.
        // With AVX2 (KK_R8_MINS 0) Q4_1/Q5_1 stay on qtile: measured on Zen 4 running the AVX2
        // table, their interleaved tiles were 0.96× (Q4_0 1.2–1.4×, Q5_0 1.3×).
        const int r8 = kind != KK_Q8_0 && n >= 4 && (KK_R8_MINS || !has_m);
        const int64_t first = r8 ? KK_NAME(qgemm_r8)(kind, a, dx, sxt, sstride) : a->r0;
        for (int64_t rb = first; rb < a->r1; rb += 16) {
            const int64_t re = rb + 16 < a->r1 ? rb + 16 : a->r1;
            for (int64_t t = 0; t < n; t += 8) {
                const int64_t tt = n - t < 8 ? n - t : 8;
                for (int64_t r = rb; r < re; r++) {
                    switch (tt) {
                    case 8: KK_TILE(1, 8, r, t); break;
                    case 7: KK_TILE(1, 7, r, t); break;
                    case 6: KK_TILE(1, 6, r, t); break;
                    case 5: KK_TILE(1, 5, r, t); break;
                    case 4: KK_TILE(1, 4, r, t); break;
                    case 3: KK_TILE(1, 3, r, t); break;
                    case 2: KK_TILE(1, 2, r, t); break;
                    default: KK_TILE(1, 1, r, t); break;
                    }
                }
            }
        }
    }
#undef KK_TILE
    if (dx != stack_scales) free(dx);
}

KK_TARGET void KK_NAME(gemm_q4_0)(const kk_gemm_args *a) { KK_NAME(qgemm)(KK_Q4_0, a); }
KK_TARGET void KK_NAME(gemm_q4_1)(const kk_gemm_args *a) { KK_NAME(qgemm)(KK_Q4_1, a); }
KK_TARGET void KK_NAME(gemm_q8_0)(const kk_gemm_args *a) { KK_NAME(qgemm)(KK_Q8_0, a); }
KK_TARGET void KK_NAME(gemm_q5_0)(const kk_gemm_args *a) { KK_NAME(qgemm)(KK_Q5_0, a); }
KK_TARGET void KK_NAME(gemm_q5_1)(const kk_gemm_args *a) { KK_NAME(qgemm)(KK_Q5_1, a); }

#ifdef KK_DOT_U8S8_ACC_LOCAL
#undef KK_DOT_U8S8_ACC
#undef KK_DOT_U8S8_ACC_LOCAL
#endif
