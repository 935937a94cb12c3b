// (Internal header of x86_kquants_low.c and arm_kquants_low.h.)
// The low-bit K-quant kernels' common form. Q2_K, Q3_K and Q5_K all reduce to one shape once a
// super-block's weights are unpacked to unsigned bytes u (0…3, 0…7, 0…31) and its scales to one
// (sc, mn) pair per 16 elements:
//
//   W · X = d_x · ( d_w · Σ_g sc[g] · Σ_{i∈g} u_i·x_i  −  dmin_w · Σ_g mn[g] · bsums[g] )
//
// with g the 16-element groups and bsums the Q8_K block's Σ x per group. Per type:
//   Q2_K  w = d·sc·u − dmin·m       sc = scales[g] & 0xF, mn = scales[g] >> 4
//   Q3_K  w = d·sc·(u − 4)          sc = 6-bit scale − 32, mn = 4·sc, dmin = d (so the two
//                                   integer sums are subtracted before scaling: exact)
//   Q5_K  w = d·sc·u − dmin·m       sc, mn = the 6-bit pair of the 32-element sub-block g / 2
// Both integer sums are exact in i32 (|Σ| < 2^23), so every kernel computes the same integers as
// the Swift reference and differs from it only in the order of the per-super-block float terms.

#ifndef KK_KQUANTS_LOW_H
#define KK_KQUANTS_LOW_H
#include <stdint.h>
#include <string.h>

enum { KK_Q2_K, KK_Q3_K, KK_Q5_K };

enum {
    KK_QK = 256,            // elements per super-block
    KK_Q8K_BYTES = 292,     // Q8_K: f32 d, i8 qs[256] at 4, i16 bsums[16] at 260
    KK_Q8K_QS = 4,
    KK_Q8K_BSUMS = 260,
};

/// Bytes of one super-block of `kind`.
static inline int kk_kq_block_bytes(const int kind) {
    return kind == KK_Q2_K ? 84 : kind == KK_Q3_K ? 110 : 176;
}

/// Byte offsets of the f16 d and dmin fields (Q3_K has no dmin: its d is used for both).
static inline int kk_kq_d_offset(const int kind) { return kind == KK_Q2_K ? 80 : kind == KK_Q3_K ? 108 : 0; }
static inline int kk_kq_dmin_offset(const int kind) { return kind == KK_Q2_K ? 82 : kind == KK_Q3_K ? 108 : 2; }

/// sc[g], mn[g] for the 16 groups of one super-block `blk` (scalar; once per row and super-block).
static inline __attribute__((always_inline))
void kk_kq_scales(const int kind, const uint8_t *blk, int16_t sc[16], int16_t mn[16]) {
    if (kind == KK_Q2_K) {
        for (int g = 0; g < 16; g++) { sc[g] = blk[g] & 0xF; mn[g] = blk[g] >> 4; }
    } else if (kind == KK_Q3_K) {
        // 16 six-bit scales: low 4 bits in the nibbles of bytes 0-7 (scales 0-7 low, 8-15 high),
        // high 2 bits in bytes 8-11, scale g at bits 2·(g / 4) of byte 8 + g % 4. Rearranged four
        // scales per 32-bit word (little-endian), as ggml does, so it compiles to a few vector ops.
        uint32_t a[3], w[4];
        memcpy(a, blk + 96, 12);
        for (int i = 0; i < 4; i++)
            w[i] = ((a[i & 1] >> (4 * (i >> 1))) & 0x0F0F0F0Fu) | (((a[2] >> (2 * i)) & 0x03030303u) << 4);
        uint8_t b[16];
        memcpy(b, w, 16);
        for (int g = 0; g < 16; g++) {
            sc[g] = (int16_t)(b[g] - 32);
            mn[g] = (int16_t)(4 * sc[g]);
        }
    } else {
        // Q4_K/Q5_K packing: 8 six-bit (scale, min) pairs in 12 bytes; pairs 0-3 in the low 6
        // bits of bytes 0-3 / 4-7, pairs 4-7 in the nibbles of bytes 8-11 plus the top 2 bits
        // of bytes 0-3 / 4-7.
        const uint8_t *s = blk + 4;
        for (int j = 0; j < 8; j++) {
            const int scale = j < 4 ? s[j] & 63 : (s[j + 4] & 0xF) | (s[j - 4] >> 6) << 4;
            const int min = j < 4 ? s[j + 4] & 63 : (s[j + 4] >> 4) | (s[j] >> 6) << 4;
            sc[2 * j] = sc[2 * j + 1] = (int16_t)scale;
            mn[2 * j] = mn[2 * j + 1] = (int16_t)min;
        }
    }
}
#endif
