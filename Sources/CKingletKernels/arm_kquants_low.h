// (Internal header of arm_neon.c, which instantiates arm_kquants_low_tile.h per NEON ISA.)
// The AArch64 side of the low-bit K-quant kernels (Q2_K, Q3_K, Q5_K × Q8_K); the scheme is in
// kquants_low.h. A weight super-block is unpacked once to 256 unsigned bytes (at most 31, so
// they are valid signed bytes for NEON's signed × signed dots) and 16 group scales, then used
// for up to 4 tokens.
#ifndef KK_ARM_KQUANTS_LOW_H
#define KK_ARM_KQUANTS_LOW_H
#include <arm_neon.h>
#include "kquants_low.h"

/// u[256]: the super-block `blk`'s weights as bytes, in element order.
static inline __attribute__((always_inline))
void kk_arm_kq_unpack(const int kind, const uint8_t *blk, uint8_t *u) {
    const uint8x16_t one = vdupq_n_u8(1), three = vdupq_n_u8(3), low4 = vdupq_n_u8(0x0F);
    // vshlq_u8 by a negative count shifts right, so the counts may be loop variables.
#define KK_SHR(v, n) vshlq_u8((v), vdupq_n_s8((int8_t)-(n)))
    if (kind == KK_Q2_K || kind == KK_Q3_K) {
        const uint8_t *qs = blk + (kind == KK_Q2_K ? 16 : 32);
        for (int half = 0; half < 2; half++) {   // the two 16-byte halves of each 32-byte row
            const uint8x16_t hm = vld1q_u8(blk + 16 * half);   // Q3_K's hmask
            for (int h = 0; h < 2; h++) {
                const uint8x16_t q = vld1q_u8(qs + 32 * h + 16 * half);
                for (int j = 0; j < 4; j++) {
                    uint8x16_t v = vandq_u8(KK_SHR(q, 2 * j), three);
                    if (kind == KK_Q3_K) v = vorrq_u8(v, vshlq_n_u8(vandq_u8(KK_SHR(hm, 4 * h + j), one), 2));
                    vst1q_u8(u + 128 * h + 32 * j + 16 * half, v);
                }
            }
        }
    } else {
        for (int half = 0; half < 2; half++) {
            const uint8x16_t qh = vld1q_u8(blk + 16 + 16 * half);
            for (int j = 0; j < 4; j++) {
                const uint8x16_t q = vld1q_u8(blk + 48 + 32 * j + 16 * half);
                const uint8x16_t h0 = vshlq_n_u8(vandq_u8(KK_SHR(qh, 2 * j), one), 4);
                const uint8x16_t h1 = vshlq_n_u8(vandq_u8(KK_SHR(qh, 2 * j + 1), one), 4);
                vst1q_u8(u + 64 * j + 16 * half, vorrq_u8(vandq_u8(q, low4), h0));
                vst1q_u8(u + 64 * j + 32 + 16 * half, vorrq_u8(vshrq_n_u8(q, 4), h1));
            }
        }
    }
#undef KK_SHR
}
#endif
