// (No include guard: this is a template, included once per ISA.)
// AArch64 tile kernels for Q4_K and Q6_K weights × Q8_K activations (layouts: Types/Q4_K.swift,
// Q6_K.swift, Q8_K.swift). Needs KK_TARGET, KK_NAME(x), KK_DOT_S8(acc, a, b) as arm_quant_tile.h.
// Per 16 elements the signed dot is exact; it is scaled by its sub-block scale in i32 lanes, and
// each super-block's lanes by d_w·d_x in f32. Q4_K's mins are Σ m_j·(bsums of sub-block j),
// scaled by dmin_w·d_x. Held to the reference to 1e-5 of Σ|w·x| (summation order).
#include "tile_walk.h"

#ifndef KK_ARM_KQUANT_KINDS
#define KK_ARM_KQUANT_KINDS
enum { KK_Q4_K, KK_Q6_K };
#endif

static inline __attribute__((always_inline)) KK_TARGET
void KK_NAME(ktile)(const int kind, const int RT, const int TT, const uint8_t *w, size_t wrb,
                    const uint8_t *x, size_t xrb, int64_t nsb, float *out, int64_t out_stride) {
    const size_t wbs = kind == KK_Q4_K ? 144 : 210;
    float32x4_t acc[2][4];
    float msum[2][4];
    for (int r = 0; r < RT; r++)
        for (int t = 0; t < TT; t++) { acc[r][t] = vdupq_n_f32(0); msum[r][t] = 0; }
    for (int64_t b = 0; b < nsb; b++) {
        int32x4_t isum[2][4];
        int sc[2][16], mn[2][8];
        float dw[2], dmw[2];
        for (int r = 0; r < RT; r++) {
            const uint8_t *blk = w + r * wrb + b * wbs;
            for (int t = 0; t < TT; t++) isum[r][t] = vdupq_n_s32(0);
            if (kind == KK_Q4_K) {
                const uint8_t *s = blk + 4;
                dw[r] = KK_NAME(f16)(blk);
                dmw[r] = KK_NAME(f16)(blk + 2);
                for (int j = 0; j < 4; j++) { sc[r][j] = s[j] & 63; mn[r][j] = s[j + 4] & 63; }
                for (int j = 4; j < 8; j++) {
                    sc[r][j] = (s[j + 4] & 0xF) | (s[j - 4] >> 6) << 4;
                    mn[r][j] = (s[j + 4] >> 4) | (s[j] >> 6) << 4;
                }
            } else {
                dw[r] = KK_NAME(f16)(blk + 208);
                for (int j = 0; j < 16; j++) sc[r][j] = (int8_t)blk[192 + j];
            }
        }
        for (int m = 0; m < 8; m++) {   // elements 32m…32m+31
            int8x16_t w0[2], w1[2];
            for (int r = 0; r < RT; r++) {
                const uint8_t *blk = w + r * wrb + b * wbs;
                if (kind == KK_Q4_K) {
                    const uint8_t *q = blk + 16 + 32 * (m / 2);
                    uint8x16_t a = vld1q_u8(q), c = vld1q_u8(q + 16);
                    if (m & 1) { a = vshrq_n_u8(a, 4); c = vshrq_n_u8(c, 4); }
                    w0[r] = vreinterpretq_s8_u8(vandq_u8(a, vdupq_n_u8(0xF)));
                    w1[r] = vreinterpretq_s8_u8(vandq_u8(c, vdupq_n_u8(0xF)));
                } else {
                    const int h = m / 4, qq = m % 4;
                    const uint8_t *ql = blk + 64 * h + 32 * (qq & 1), *qh = blk + 128 + 32 * h;
                    uint8x16_t la = vld1q_u8(ql), lc = vld1q_u8(ql + 16);
                    la = qq < 2 ? vandq_u8(la, vdupq_n_u8(0xF)) : vshrq_n_u8(la, 4);
                    lc = qq < 2 ? vandq_u8(lc, vdupq_n_u8(0xF)) : vshrq_n_u8(lc, 4);
                    const int8x16_t shift = vdupq_n_s8((int8_t)(-2 * qq));
                    const uint8x16_t ha = vandq_u8(vshlq_u8(vld1q_u8(qh), shift), vdupq_n_u8(3));
                    const uint8x16_t hc = vandq_u8(vshlq_u8(vld1q_u8(qh + 16), shift), vdupq_n_u8(3));
                    w0[r] = vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(la, vshlq_n_u8(ha, 4))), vdupq_n_s8(32));
                    w1[r] = vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(lc, vshlq_n_u8(hc, 4))), vdupq_n_s8(32));
                }
            }
            for (int t = 0; t < TT; t++) {
                const int8_t *xq = (const int8_t *)(x + t * xrb + b * 292 + 4 + 32 * m);
                const int8x16_t x0 = vld1q_s8(xq), x1 = vld1q_s8(xq + 16);
                for (int r = 0; r < RT; r++) {
                    if (kind == KK_Q4_K) {
                        const int32x4_t p = KK_DOT_S8(KK_DOT_S8(vdupq_n_s32(0), w0[r], x0), w1[r], x1);
                        isum[r][t] = vmlaq_n_s32(isum[r][t], p, sc[r][m]);
                    } else {
                        isum[r][t] = vmlaq_n_s32(isum[r][t], KK_DOT_S8(vdupq_n_s32(0), w0[r], x0), sc[r][2 * m]);
                        isum[r][t] = vmlaq_n_s32(isum[r][t], KK_DOT_S8(vdupq_n_s32(0), w1[r], x1), sc[r][2 * m + 1]);
                    }
                }
            }
        }
        for (int t = 0; t < TT; t++) {
            const uint8_t *xb = x + t * xrb + b * 292;
            float dx;
            memcpy(&dx, xb, 4);
            int16_t bs[16];
            memcpy(bs, xb + 260, 32);
            for (int r = 0; r < RT; r++) {
                acc[r][t] = vfmaq_n_f32(acc[r][t], vcvtq_f32_s32(isum[r][t]), dw[r] * dx);
                if (kind == KK_Q4_K) {
                    int mins = 0;
                    for (int j = 0; j < 8; j++) mins += mn[r][j] * (bs[2 * j] + bs[2 * j + 1]);
                    msum[r][t] += dmw[r] * dx * (float)mins;
                }
            }
        }
    }
    for (int r = 0; r < RT; r++)
        for (int t = 0; t < TT; t++) out[t * out_stride + r] = vaddvq_f32(acc[r][t]) - msum[r][t];
}

static inline __attribute__((always_inline)) KK_TARGET
void KK_NAME(kgemm)(const int kind, const kk_gemm_args *a) {
    const int64_t nsb = a->k / 256, n = a->n;
    const uint8_t *x = (const uint8_t *)a->x, *w = (const uint8_t *)a->w;
#define KK_KTILE(RT, TT, r, t) \
    KK_NAME(ktile)(kind, RT, TT, w + (r) * a->w_row_bytes, a->w_row_bytes, x + (t) * a->x_row_bytes, \
                   a->x_row_bytes, nsb, a->out + (t) * a->out_stride + (r), a->out_stride)
    KK_TILE_WALK(KK_KTILE, a->r0, a->r1, n, 2, 2);
#undef KK_KTILE
}

KK_TARGET void KK_NAME(gemm_q4_K)(const kk_gemm_args *a) { KK_NAME(kgemm)(KK_Q4_K, a); }
KK_TARGET void KK_NAME(gemm_q6_K)(const kk_gemm_args *a) { KK_NAME(kgemm)(KK_Q6_K, a); }
