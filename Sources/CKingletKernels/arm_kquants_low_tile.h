// (No include guard: a template, included once per ISA by arm_neon.c after arm_quant_tile.h,
// whose KK_NAME(f16) it uses.) The including file defines KK_TARGET, KK_NAME(x) and
// KK_DOT_S8(acc, a, b): acc (int32x4) plus the 16 products a·b, summed 4 per lane.

/// out[t, r] for one weight row `w` (nsb super-blocks) and TT (1…4) tokens from `x`.
/// Per super-block and token: s = Σ_g sc[g]·Σ u·x and c = Σ_g mn[g]·bsums[g] in 4 i32 lanes;
/// acc += (d_w·d_x)·s − (dmin_w·d_x)·c in 4 f32 lanes (Q3_K: (d_w·d_x)·(s − c), exact first).
static inline __attribute__((always_inline)) KK_TARGET
void KK_NAME(kq_tile)(const int kind, const int TT, const uint8_t *w, const uint8_t *x, size_t xrb,
                      int64_t nsb, float *out, int64_t out_stride) {
    const int wbs = kk_kq_block_bytes(kind);
    float32x4_t acc[4];
    for (int t = 0; t < TT; t++) acc[t] = vdupq_n_f32(0);
    uint8_t u[KK_QK] __attribute__((aligned(16)));

    for (int64_t b = 0; b < nsb; b++) {
        const uint8_t *blk = w + b * wbs;
        int16_t sc[16], mn[16];
        kk_kq_scales(kind, blk, sc, mn);
        kk_arm_kq_unpack(kind, blk, u);
        const int16x8_t mn0 = vld1q_s16(mn), mn1 = vld1q_s16(mn + 8);
        const float dw = KK_NAME(f16)(blk + kk_kq_d_offset(kind));
        const float mw = KK_NAME(f16)(blk + kk_kq_dmin_offset(kind));

        for (int t = 0; t < TT; t++) {
            const uint8_t *xb = x + t * xrb + b * KK_Q8K_BYTES;
            const int8_t *xq = (const int8_t *)(xb + KK_Q8K_QS);
            int32x4_t s = vdupq_n_s32(0);
            for (int g = 0; g < 16; g++) {
                const int32x4_t p = KK_DOT_S8(vdupq_n_s32(0), vreinterpretq_s8_u8(vld1q_u8(u + 16 * g)),
                                              vld1q_s8(xq + 16 * g));
                s = vmlaq_n_s32(s, p, sc[g]);
            }
            int16_t bs[16];
            memcpy(bs, xb + KK_Q8K_BSUMS, sizeof bs);
            const int16x8_t b0 = vld1q_s16(bs), b1 = vld1q_s16(bs + 8);
            int32x4_t c = vmull_s16(vget_low_s16(mn0), vget_low_s16(b0));
            c = vmlal_high_s16(c, mn0, b0);
            c = vmlal_s16(c, vget_low_s16(mn1), vget_low_s16(b1));
            c = vmlal_high_s16(c, mn1, b1);
            float dx;
            memcpy(&dx, xb, 4);
            if (kind == KK_Q3_K) {
                acc[t] = vfmaq_n_f32(acc[t], vcvtq_f32_s32(vsubq_s32(s, c)), dw * dx);
            } else {
                acc[t] = vfmaq_n_f32(acc[t], vcvtq_f32_s32(s), dw * dx);
                acc[t] = vfmaq_n_f32(acc[t], vcvtq_f32_s32(c), -(mw * dx));
            }
        }
    }
    for (int t = 0; t < TT; t++) out[t * out_stride] = vaddvq_f32(acc[t]);
}

#include "kquants_low_driver.h"
