// (No include guard: this is a template, included once per ISA.)
// Tile kernels for 4/8-bit weights × 8-bit activations, written once and compiled per x86 ISA.
// The including file defines:
//   KK_TARGET          the function target attribute
//   KK_NAME(x)         the symbol prefix (kk_avx2_x, kk_vnni_x)
//   KK_DOT_U8S8(u, s)  8 × i32 lanes, each the sum of 4 adjacent u8 × s8 products (exact)
//   KK_R8_TT           tokens per interleaved tile (4 with 32 vector registers, 2 with 16)
//
// Q4_0, Q4_1, Q5_0, Q5_1 and Q8_0 (the "kinds" below): each block's integer dot is summed whole
// and the f32 work is the reference's, so every output equals the Swift reference bit for bit
// whatever the batch (8-row groups for one token, row-interleaved tiles for batches). Q8_0's
// signed weights use the sign trick: |w| (unsigned) × sign(x, w).

#include <string.h>

enum { KK_R8_MIN_N = 2 };   // tokens from which batches take the interleaved tiles

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

/// The sum of v's 8 lanes, ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)) (x86_float_tile.h's reduction).
static inline __attribute__((always_inline)) KK_TARGET
float KK_NAME(hsum)(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/// Low 16 bits of 8 i32 lanes as 8 × u16.
static inline __attribute__((always_inline)) KK_TARGET
__m128i KK_NAME(low16)(__m256i v) {
    const __m256i p = _mm256_packus_epi32(_mm256_and_si256(v, _mm256_set1_epi32(0xFFFF)), _mm256_setzero_si256());
    return _mm256_castsi256_si128(_mm256_permute4x64_epi64(p, _MM_SHUFFLE(3, 1, 2, 0)));
}

// MARK: Q4_0, Q4_1, Q5_0, Q5_1, Q8_0: the reference's arithmetic, whatever the batch
//
// Each block's integer dot Σ q·x is exact (i32); the f32 work is then the reference's (the types'
// Swift `dot`, ggml's generic vec_dot), lane for lane: per block, in block order,
//     acc += (d_w·d_x)·Σ q·x            Q4_0, Q5_0: q − 8 / q − 16, via Σ q·x − 8·Σx / − 16·Σx; Q8_0
//     acc += (d_w·d_x)·Σ q·x + m_w·s_x  Q4_1, Q5_1
// one rounding per operation, none fused. So every output equals the reference bit for bit, and
// a token gets the same whether it is alone or in a batch. (ggml's AVX2 vec_dot instead keeps 8
// f32 lanes per block, one conversion and FMA per 4 products; summing the block in integers first
// is exact and needs one conversion and a few f32 operations per block: half the work.)
//
// Two ways to the same numbers, 8 rows at a time (8 f32 lanes, one row each):
// - few tokens (rows8): each row's block is unpacked, dotted with the token (8 i32 lanes of
//   4-product sums) and the 8 rows' lanes are summed by one transposed reduction;
// - batches (r8): the 8 rows are first unpacked into a per-thread buffer interleaved so one
//   32-byte vector holds 4 consecutive elements (a "group") of each row; per block and token,
//   8 u8·s8 dots with the token's 4 bytes of each group broadcast add up the 8 rows' sums
//   directly (vpdpbusd chains with VNNI). KK_R8_TT tokens share each weight load.

static inline __attribute__((always_inline)) int kk_blk_has_m(const int kind) { return kind == KK_Q4_1 || kind == KK_Q5_1; }
/// The offset subtracted from q: 8 (Q4_0), 16 (Q5_0), 0 (Q4_1, Q5_1: the min m is the offset).
static inline __attribute__((always_inline)) int kk_blk_off(const int kind) { return kind == KK_Q4_0 ? 8 : kind == KK_Q5_0 ? 16 : 0; }
static inline __attribute__((always_inline)) size_t kk_blk_wbs(const int kind) {
    return kind == KK_Q4_0 ? 18 : kind == KK_Q4_1 ? 20 : kind == KK_Q5_0 ? 22 : kind == KK_Q5_1 ? 24 : 34;
}

/// A nibble block's 32 values q as unsigned bytes (0…15, or 0…31 with Q5's fifth bit), in element order.
static inline __attribute__((always_inline)) KK_TARGET
__m256i KK_NAME(unpack_q)(const int kind, const uint8_t *blk) {
    const size_t wqs = kind == KK_Q4_0 ? 2 : kind == KK_Q4_1 ? 4 : kind == KK_Q5_0 ? 6 : 8;
    const __m128i q = _mm_loadu_si128((const __m128i *)(blk + wqs));
    __m256i u = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(q, 4), q), _mm256_set1_epi8(0x0F));
    if (kind == KK_Q5_0 || kind == KK_Q5_1)
        u = _mm256_or_si256(u, _mm256_and_si256(KK_NAME(bits32)(blk + (kind == KK_Q5_0 ? 2 : 4)), _mm256_set1_epi8(0x10)));
    return u;
}

/// One block's f32 step for 8 rows: acc + ((dw·dx)·isum [+ mw·sx]), in the reference's order.
static inline __attribute__((always_inline)) KK_TARGET
__m256 KK_NAME(blk_step)(const int kind, __m256 acc, __m256 dw, float dx, __m256i isum, __m256 mw, float sx) {
    __m256 p = _mm256_mul_ps(_mm256_mul_ps(dw, _mm256_set1_ps(dx)), _mm256_cvtepi32_ps(isum));
    if (kk_blk_has_m(kind)) p = _mm256_add_ps(p, _mm256_mul_ps(mw, _mm256_set1_ps(sx)));
    return _mm256_add_ps(acc, p);
}

/// Lane i = the sum of a[i]'s 8 lanes (exact: integers).
static inline __attribute__((always_inline)) KK_TARGET
__m256i KK_NAME(isum8)(const __m256i a[8]) {
    const __m256i t0 = _mm256_hadd_epi32(a[0], a[1]), t1 = _mm256_hadd_epi32(a[2], a[3]);
    const __m256i t2 = _mm256_hadd_epi32(a[4], a[5]), t3 = _mm256_hadd_epi32(a[6], a[7]);
    const __m256i u0 = _mm256_hadd_epi32(t0, t1), u1 = _mm256_hadd_epi32(t2, t3);   // rows 0–3 | 4–7, per half
    return _mm256_add_epi32(_mm256_permute2x128_si256(u0, u1, 0x20), _mm256_permute2x128_si256(u0, u1, 0x31));
}

/// Block b's scales (and mins) of nv ≤ 8 rows starting at `w` as 8 lanes (0 past nv).
static inline __attribute__((always_inline)) KK_TARGET
void KK_NAME(blk_scales)(const int kind, const uint8_t *w, size_t wrb, int nv, int64_t b, __m256 *dw, __m256 *mw) {
    // d | m << 16 of each row, in registers (stored and reloaded, the 8 words would wait on
    // store forwarding)
    const uint8_t *p = w + b * kk_blk_wbs(kind);
#define KK_DM(i) (i < nv ? *(const int32_t *)(p + i * wrb) : 0)
    const __m256i v = _mm256_setr_epi32(KK_DM(0), KK_DM(1), KK_DM(2), KK_DM(3), KK_DM(4), KK_DM(5), KK_DM(6), KK_DM(7));
#undef KK_DM
    *dw = _mm256_cvtph_ps(KK_NAME(low16)(v));
    *mw = kk_blk_has_m(kind) ? _mm256_cvtph_ps(KK_NAME(low16)(_mm256_srli_epi32(v, 16))) : _mm256_setzero_ps();
}

/// Per-token activation figures for the kinds, [n, nb] each: dx the scales, sx (Q4_1,
/// Q5_1) the sums s, xs (Q4_0, Q5_0) −offset·Σ q_x (exact), the correction for the offset.
typedef struct { const float *dx, *sx; const int32_t *xs; } KK_NAME(blk_act);

/// Fills `room` (2·n·nb floats) with `a`'s activation figures.
static inline __attribute__((always_inline)) KK_TARGET
void KK_NAME(blk_act_make)(const int kind, const kk_gemm_args *a, float *room, KK_NAME(blk_act) *act) {
    const int64_t nb = a->k / 32, n = a->n;
    const int has_m = kk_blk_has_m(kind);
    const size_t xbs = has_m ? 36 : 34, xqs = has_m ? 4 : 2;
    float *dx = room, *sx = room + n * nb;
    int32_t *xs = (int32_t *)(room + n * nb);   // sx's room: a kind has one or the other
    const uint8_t *x = (const uint8_t *)a->x;
    const int off = kk_blk_off(kind);
    for (int64_t t = 0; t < n; t++) {
        for (int64_t b = 0; b < nb; b++) {
            const uint8_t *blk = x + t * a->x_row_bytes + b * xbs;
            dx[t * nb + b] = _cvtsh_ss(*(const uint16_t *)blk);
            if (has_m) {
                sx[t * nb + b] = _cvtsh_ss(*(const uint16_t *)(blk + 2));
            } else if (off) {
                int32_t s[8];
                _mm256_storeu_si256((__m256i *)s, KK_DOT_U8S8(_mm256_set1_epi8(1), _mm256_loadu_si256((const __m256i *)(blk + xqs))));
                xs[t * nb + b] = -off * (s[0] + s[1] + s[2] + s[3] + s[4] + s[5] + s[6] + s[7]);
            }
        }
    }
    act->dx = dx;
    act->sx = sx;
    act->xs = xs;
}

/// out[t, 0 ..< nv] for nv ≤ 8 rows at `w` and tokens [0, n): each block unpacked per token.
static inline __attribute__((always_inline)) KK_TARGET
void KK_NAME(blk_rows8)(const int kind, const uint8_t *w, size_t wrb, int nv, const kk_gemm_args *a,
                        const KK_NAME(blk_act) *act, float *out) {
    const int64_t nb = a->k / 32;
    const int has_m = kk_blk_has_m(kind);
    const size_t wbs = kk_blk_wbs(kind), xbs = has_m ? 36 : 34, xqs = has_m ? 4 : 2;
    for (int64_t t = 0; t < a->n; t++) {
        const uint8_t *x = (const uint8_t *)a->x + t * a->x_row_bytes;
        __m256 acc = _mm256_setzero_ps();
        for (int64_t b = 0; b < nb; b++) {
            const __m256i xv = _mm256_loadu_si256((const __m256i *)(x + b * xbs + xqs));
            // The next 8 rows (contiguous: 8·nb blocks), front to back, a block-step's share of
            // them per step: one linear stream the prefetchers follow. Prefetching each row's block
            // two groups ahead instead (8 scattered lines per step, half of them repeats) streamed
            // Gemma 3's 178 MB Q8_0 head at 11.5 GB/s on Zen 3, this at 20 (the machine's read rate).
            if (nv == 8) {
                const uint8_t *ahead = w + 8 * wrb + b * 8 * wbs;
                for (size_t l = 0; l < 8 * wbs; l += 64) _mm_prefetch((const char *)(ahead + l), _MM_HINT_T0);
            }
            __m256i d[8];
            for (int i = 0; i < 8; i++) {
                if (i < nv) {
                    const uint8_t *blk = w + i * wrb + b * wbs;
                    if (kind == KK_Q8_0) {   // signed × signed: |w| · sign(x, w)
                        const __m256i wv = _mm256_loadu_si256((const __m256i *)(blk + 2));
                        d[i] = KK_DOT_U8S8(_mm256_abs_epi8(wv), _mm256_sign_epi8(xv, wv));
                    } else {
                        d[i] = KK_DOT_U8S8(KK_NAME(unpack_q)(kind, blk), xv);
                    }
                } else {
                    d[i] = _mm256_setzero_si256();
                }
            }
            __m256i isum = KK_NAME(isum8)(d);
            if (kk_blk_off(kind)) isum = _mm256_add_epi32(isum, _mm256_set1_epi32(act->xs[t * nb + b]));
            __m256 dw, mw;
            KK_NAME(blk_scales)(kind, w, wrb, nv, b, &dw, &mw);
            acc = KK_NAME(blk_step)(kind, acc, dw, act->dx[t * nb + b], isum, mw, has_m ? act->sx[t * nb + b] : 0.0f);
        }
        float o[8];
        _mm256_storeu_ps(o, acc);
        for (int i = 0; i < nv; i++) out[t * a->out_stride + i] = o[i];
    }
}

/// Bytes of one packed 8-row group per block: the values, (Q8_0) their signed originals, the
/// scales and the mins.
static inline __attribute__((always_inline)) size_t kk_blk_pack_bytes(const int kind) { return kind == KK_Q8_0 ? 576 : 320; }

/// Eight rows starting at `w` into buf [nb][8 groups][8 rows] (4 unsigned bytes q each; Q8_0:
/// |q|, and the signed q in sgn, laid out alike), the scales dws [nb][8] and (Q4_1/Q5_1) the
/// mins ms [nb][8].
static inline __attribute__((always_inline)) KK_TARGET
void KK_NAME(pack_r8)(const int kind, const uint8_t *w, size_t wrb, int64_t nb, uint32_t *buf, uint32_t *sgn,
                      float *dws, float *ms) {
    for (int64_t b = 0; b < nb; b++) {
        uint32_t q[8][8], sq[8][8];   // [row][group]
        for (int i = 0; i < 8; i++) {
            const uint8_t *blk = w + i * wrb + b * kk_blk_wbs(kind);
            if (kind == KK_Q8_0) {
                const __m256i v = _mm256_loadu_si256((const __m256i *)(blk + 2));
                _mm256_storeu_si256((__m256i *)sq[i], v);
                _mm256_storeu_si256((__m256i *)q[i], _mm256_abs_epi8(v));
            } else {
                _mm256_storeu_si256((__m256i *)q[i], KK_NAME(unpack_q)(kind, blk));
            }
        }
        for (int j = 0; j < 8; j++)
            for (int i = 0; i < 8; i++) {
                buf[b * 64 + j * 8 + i] = q[i][j];
                if (kind == KK_Q8_0) sgn[b * 64 + j * 8 + i] = sq[i][j];
            }
        __m256 dw, mw;
        KK_NAME(blk_scales)(kind, w, wrb, 8, b, &dw, &mw);
        _mm256_storeu_ps(dws + b * 8, dw);
        if (kk_blk_has_m(kind)) _mm256_storeu_ps(ms + b * 8, mw);
    }
}

/// out[t, 0 ..< 8] for TT tokens from token t0 against the packed rows.
static inline __attribute__((always_inline)) KK_TARGET
void KK_NAME(r8tile)(const int kind, const int TT, const uint32_t *buf, const uint32_t *sgn, const float *dws, const float *ms,
                     const kk_gemm_args *a, const KK_NAME(blk_act) *act, int64_t t0, float *out) {
    const int64_t nb = a->k / 32;
    const int has_m = kk_blk_has_m(kind);
    const size_t xbs = has_m ? 36 : 34, xqs = has_m ? 4 : 2;
    const uint8_t *x = (const uint8_t *)a->x + t0 * a->x_row_bytes + xqs;
    __m256 acc[KK_R8_TT];
    for (int t = 0; t < TT; t++) acc[t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        // two chains per token (even and odd groups) keep more vpdpbusd in flight
        __m256i ie[KK_R8_TT], io[KK_R8_TT];
        for (int t = 0; t < TT; t++) {
            ie[t] = kk_blk_off(kind) ? _mm256_set1_epi32(act->xs[(t0 + t) * nb + b]) : _mm256_setzero_si256();
            io[t] = _mm256_setzero_si256();
        }
        for (int j = 0; j < 8; j += 2) {
            const __m256i w0 = _mm256_loadu_si256((const __m256i *)(buf + b * 64 + j * 8));
            const __m256i w1 = _mm256_loadu_si256((const __m256i *)(buf + b * 64 + j * 8 + 8));
            const __m256i s0 = kind == KK_Q8_0 ? _mm256_loadu_si256((const __m256i *)(sgn + b * 64 + j * 8)) : w0;
            const __m256i s1 = kind == KK_Q8_0 ? _mm256_loadu_si256((const __m256i *)(sgn + b * 64 + j * 8 + 8)) : w1;
            for (int t = 0; t < TT; t++) {
                const uint8_t *xb = x + t * a->x_row_bytes + b * xbs + 4 * j;
                int32_t x0, x1;
                memcpy(&x0, xb, 4);
                memcpy(&x1, xb + 4, 4);
                __m256i xv0 = _mm256_set1_epi32(x0), xv1 = _mm256_set1_epi32(x1);
                if (kind == KK_Q8_0) {   // the weights' signs onto the activations
                    xv0 = _mm256_sign_epi8(xv0, s0);
                    xv1 = _mm256_sign_epi8(xv1, s1);
                }
                ie[t] = KK_DOT_U8S8_ACC(ie[t], w0, xv0);
                io[t] = KK_DOT_U8S8_ACC(io[t], w1, xv1);
            }
        }
        const __m256 dw = _mm256_loadu_ps(dws + b * 8);
        const __m256 mw = has_m ? _mm256_loadu_ps(ms + b * 8) : _mm256_setzero_ps();
        for (int t = 0; t < TT; t++)
            acc[t] = KK_NAME(blk_step)(kind, acc[t], dw, act->dx[(t0 + t) * nb + b], _mm256_add_epi32(ie[t], io[t]), mw,
                                       has_m ? act->sx[(t0 + t) * nb + b] : 0.0f);
    }
    for (int t = 0; t < TT; t++) _mm256_storeu_ps(out + t * a->out_stride, acc[t]);
}

/// Rows [r0, r1) × all n tokens of `a` for a kind, with the activation figures `act`.
static inline __attribute__((always_inline)) KK_TARGET
void KK_NAME(blk_gemm_tokens)(const int kind, const kk_gemm_args *a, const KK_NAME(blk_act) *act) {
    const int64_t nb = a->k / 32, n = a->n;
    const uint8_t *w = (const uint8_t *)a->w;
    int64_t r = a->r0;
    // Batches take the interleaved tiles: the buffer (nb · 320 bytes, Q8_0 576) is packed once per 8 rows;
    // without it they take rows8 (the same numbers, slower).
    uint8_t *scratch = n >= KK_R8_MIN_N ? (uint8_t *)malloc((size_t)nb * kk_blk_pack_bytes(kind)) : NULL;
    if (scratch) {
        uint32_t *buf = (uint32_t *)scratch, *sgn = buf + nb * 64;   // sgn: Q8_0 only
        float *dws = (float *)(scratch + nb * (kk_blk_pack_bytes(kind) - 64)), *ms = dws + nb * 8;
        for (; r + 8 <= a->r1; r += 8) {
            KK_NAME(pack_r8)(kind, w + r * a->w_row_bytes, a->w_row_bytes, nb, buf, sgn, dws, ms);
            int64_t t = 0;
            for (; t + KK_R8_TT <= n; t += KK_R8_TT)
                KK_NAME(r8tile)(kind, KK_R8_TT, buf, sgn, dws, ms, a, act, t, a->out + t * a->out_stride + r);
            for (; t < n; t++)
                KK_NAME(r8tile)(kind, 1, buf, sgn, dws, ms, a, act, t, a->out + t * a->out_stride + r);
        }
        free(scratch);
    }
    for (; r + 8 <= a->r1; r += 8) KK_NAME(blk_rows8)(kind, w + r * a->w_row_bytes, a->w_row_bytes, 8, a, act, a->out + r);
    if (r < a->r1) KK_NAME(blk_rows8)(kind, w + r * a->w_row_bytes, a->w_row_bytes, (int)(a->r1 - r), a, act, a->out + r);
}

/// Rows [r0, r1) × all n tokens for a kind. The activation figures (8 bytes per token
/// and block) live on the stack for small batches, else on the heap; should the heap refuse,
/// the tokens go through in stack-sized chunks.
static inline __attribute__((always_inline)) KK_TARGET
void KK_NAME(blk_gemm)(const int kind, const kk_gemm_args *a) {
    enum { STACK_FLOATS = 4096 };
    float stack[STACK_FLOATS];
    const int64_t nb = a->k / 32;
    int64_t chunk = a->n;
    void *heap = NULL;
    if (2 * a->n * nb > STACK_FLOATS) {
        heap = malloc((size_t)(2 * a->n * nb) * sizeof(float));
        if (!heap) chunk = STACK_FLOATS / (2 * nb);
        // Rows over 65,536 columns with no heap left for 16 KiB: out of memory, stop (a zero
        // chunk would never advance).
        if (!heap && chunk < 1) abort();
    }
    for (int64_t t0 = 0; t0 < a->n; t0 += chunk) {
        kk_gemm_args sub = *a;
        sub.x = (const uint8_t *)a->x + t0 * a->x_row_bytes;
        sub.out = a->out + t0 * a->out_stride;
        sub.n = a->n - t0 < chunk ? a->n - t0 : chunk;
        KK_NAME(blk_act) act;
        KK_NAME(blk_act_make)(kind, &sub, heap ? (float *)heap : stack, &act);
        KK_NAME(blk_gemm_tokens)(kind, &sub, &act);
    }
    free(heap);
}

KK_TARGET void KK_NAME(gemm_q4_0)(const kk_gemm_args *a) { KK_NAME(blk_gemm)(KK_Q4_0, a); }
KK_TARGET void KK_NAME(gemm_q4_1)(const kk_gemm_args *a) { KK_NAME(blk_gemm)(KK_Q4_1, a); }
KK_TARGET void KK_NAME(gemm_q8_0)(const kk_gemm_args *a) { KK_NAME(blk_gemm)(KK_Q8_0, a); }
KK_TARGET void KK_NAME(gemm_q5_0)(const kk_gemm_args *a) { KK_NAME(blk_gemm)(KK_Q5_0, a); }
KK_TARGET void KK_NAME(gemm_q5_1)(const kk_gemm_args *a) { KK_NAME(blk_gemm)(KK_Q5_1, a); }

#ifdef KK_DOT_U8S8_ACC_LOCAL
#undef KK_DOT_U8S8_ACC
#undef KK_DOT_U8S8_ACC_LOCAL
#endif
