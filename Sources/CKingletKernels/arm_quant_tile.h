// (No include guard: this is a template, included once per ISA.)
// AArch64 tile kernels for 4/8-bit weights × 8-bit activations (see x86_quant_tile.h for the
// scheme). NEON's dot product is signed × signed, so no sign tricks: Q4_0 nibbles are offset to
// −8…7 and Q5_0's 5-bit values to −16…15 before the dot; Q5_1 is Q4_1 with a fifth bit. The including file defines KK_TARGET, KK_NAME(x) and
// KK_DOT_S8(acc, a, b): acc (int32x4) plus the 16 products a·b, summed 4 per lane.
#include "tile_walk.h"

#ifndef KK_ARM_QUANT_KINDS
#define KK_ARM_QUANT_KINDS
enum { KK_Q4_0, KK_Q4_1, KK_Q8_0, KK_Q5_0, KK_Q5_1 };
#endif

static inline __attribute__((always_inline)) KK_TARGET
float KK_NAME(f16)(const uint8_t *p) {
    _Float16 h;
    memcpy(&h, p, 2);
    return (float)h;
}

static inline __attribute__((always_inline)) KK_TARGET
void KK_NAME(qtile)(const int kind, const int RT, const int TT,
                    const uint8_t *w, size_t wrb, const uint8_t *x, size_t xrb,
                    const float *dx, const float *sx, int64_t sstride, int64_t nb,
                    float *out, int64_t out_stride) {
    const int has_m = kind == KK_Q4_1 || kind == KK_Q5_1;   // w = q·d + m, × Q8_1
    const size_t wbs = kind == KK_Q4_0 ? 18 : kind == KK_Q4_1 ? 20 : kind == KK_Q5_0 ? 22 : kind == KK_Q5_1 ? 24 : 34;
    const size_t wqs = kind == KK_Q4_0 ? 2 : kind == KK_Q4_1 ? 4 : kind == KK_Q5_0 ? 6 : 8;   // nibbles
    const size_t xbs = has_m ? 36 : 34;
    const size_t xqs = has_m ? 4 : 2;
    const uint8x8_t bitsel = vcreate_u8(0x8040201008040201ull);
    float32x4_t acc[4][4];
    float msum[4][4];
    for (int r = 0; r < RT; r++)
        for (int t = 0; t < TT; t++) { acc[r][t] = vdupq_n_f32(0); msum[r][t] = 0; }

    for (int64_t b = 0; b < nb; b++) {
        int8x16_t w0[4], w1[4];   // elements 0-15 and 16-31
        float dw[4], mw[4];
        for (int r = 0; r < RT; r++) {
            const uint8_t *blk = w + r * wrb + b * wbs;
            dw[r] = KK_NAME(f16)(blk);
            if (has_m) mw[r] = KK_NAME(f16)(blk + 2);
            if (kind == KK_Q8_0) {
                w0[r] = vld1q_s8((const int8_t *)(blk + 2));
                w1[r] = vld1q_s8((const int8_t *)(blk + 18));
            } else {
                const uint8x16_t q = vld1q_u8(blk + wqs);
                uint8x16_t ulo = vandq_u8(q, vdupq_n_u8(0x0F)), uhi = vshrq_n_u8(q, 4);
                if (kind == KK_Q5_0 || kind == KK_Q5_1) {   // bit j of qh is bit 4 of element j
                    const uint8_t *qh = blk + (kind == KK_Q5_0 ? 2 : 4);
                    const uint8x16_t h0 = vcombine_u8(vtst_u8(vdup_n_u8(qh[0]), bitsel), vtst_u8(vdup_n_u8(qh[1]), bitsel));
                    const uint8x16_t h1 = vcombine_u8(vtst_u8(vdup_n_u8(qh[2]), bitsel), vtst_u8(vdup_n_u8(qh[3]), bitsel));
                    ulo = vorrq_u8(ulo, vandq_u8(h0, vdupq_n_u8(0x10)));
                    uhi = vorrq_u8(uhi, vandq_u8(h1, vdupq_n_u8(0x10)));
                }
                int8x16_t lo = vreinterpretq_s8_u8(ulo), hi = vreinterpretq_s8_u8(uhi);
                if (kind == KK_Q4_0) { lo = vsubq_s8(lo, vdupq_n_s8(8)); hi = vsubq_s8(hi, vdupq_n_s8(8)); }
                if (kind == KK_Q5_0) { lo = vsubq_s8(lo, vdupq_n_s8(16)); hi = vsubq_s8(hi, vdupq_n_s8(16)); }
                w0[r] = lo;
                w1[r] = hi;
            }
        }
        for (int t = 0; t < TT; t++) {
            const int8_t *xq = (const int8_t *)(x + t * xrb + b * xbs + xqs);
            const int8x16_t x0 = vld1q_s8(xq), x1 = vld1q_s8(xq + 16);
            const float d = dx[t * sstride + b];
            for (int r = 0; r < RT; r++) {
                int32x4_t p = KK_DOT_S8(vdupq_n_s32(0), w0[r], x0);
                p = KK_DOT_S8(p, w1[r], x1);
                acc[r][t] = vfmaq_n_f32(acc[r][t], vcvtq_f32_s32(p), dw[r] * d);
                if (has_m) msum[r][t] += mw[r] * sx[t * sstride + b];
            }
        }
    }
    for (int r = 0; r < RT; r++)
        for (int t = 0; t < TT; t++) out[t * out_stride + r] = vaddvq_f32(acc[r][t]) + msum[r][t];
}

static inline __attribute__((always_inline)) KK_TARGET
void KK_NAME(qgemm)(const int kind, const kk_gemm_args *a) {
    const int64_t nb = a->k / 32, n = a->n;
    const int has_m = kind == KK_Q4_1 || kind == KK_Q5_1;
    const size_t xbs = has_m ? 36 : 34;
    const uint8_t *x = (const uint8_t *)a->x, *w = (const uint8_t *)a->w;
    // activation scales as f32: dx [n, nb], sx [n, nb]
    float stack_scales[2048];
    const int64_t need = 2 * n * nb;
    float *dx = need <= 2048 ? stack_scales : (float *)malloc((size_t)need * sizeof(float));
    float *sx = dx + n * nb;
    for (int64_t t = 0; t < n; t++)
        for (int64_t b = 0; b < nb; b++) {
            const uint8_t *blk = x + t * a->x_row_bytes + b * xbs;
            dx[t * nb + b] = KK_NAME(f16)(blk);
            sx[t * nb + b] = has_m ? KK_NAME(f16)(blk + 2) : 0;
        }
#define KK_TILE(RT, TT, r, t) \
    KK_NAME(qtile)(kind, RT, TT, w + (r) * a->w_row_bytes, a->w_row_bytes, \
                   x + (t) * a->x_row_bytes, a->x_row_bytes, dx + (t) * nb, sx + (t) * nb, nb, nb, \
                   a->out + (t) * a->out_stride + (r), a->out_stride)
    // 32 vector registers: a 2 × 4 tile fits without spills
    KK_TILE_WALK(KK_TILE, a->r0, a->r1, n, 4, 2);
#undef KK_TILE
    if (dx != stack_scales) free(dx);
}

KK_TARGET void KK_NAME(gemm_q4_0)(const kk_gemm_args *a) { KK_NAME(qgemm)(KK_Q4_0, a); }
KK_TARGET void KK_NAME(gemm_q4_1)(const kk_gemm_args *a) { KK_NAME(qgemm)(KK_Q4_1, a); }
KK_TARGET void KK_NAME(gemm_q8_0)(const kk_gemm_args *a) { KK_NAME(qgemm)(KK_Q8_0, a); }
KK_TARGET void KK_NAME(gemm_q5_0)(const kk_gemm_args *a) { KK_NAME(qgemm)(KK_Q5_0, a); }
KK_TARGET void KK_NAME(gemm_q5_1)(const kk_gemm_args *a) { KK_NAME(qgemm)(KK_Q5_1, a); }
