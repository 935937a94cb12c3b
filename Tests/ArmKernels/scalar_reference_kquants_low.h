// Scalar definitions of the low-bit K-quants Q2_K, Q3_K and Q5_K and their dot with Q8_K
// activations, written from ggml's dequantize_row_q{2,3,5}_K loops (and Kinglet's Types/Q*_K.swift),
// not from the kernels' unpacking (Sources/CKingletKernels/kquants_low.h and friends): the test must not
// share a bug with the code under test.
//
// Layouts (bytes): Q2_K {u8 scales[16]; u8 qs[64]; f16 d; f16 dmin} 84;
// Q3_K {u8 hmask[32]; u8 qs[64]; u8 scales[12]; f16 d} 110;
// Q5_K {f16 d; f16 dmin; u8 scales[12]; u8 qh[32]; u8 qs[128]} 176;
// Q8_K {f32 d; i8 qs[256]; i16 bsums[16]} 292.
// Legend: nsb = K / 256 super-blocks.
#pragma once
#include "scalar_reference.h"

enum ref_kq_type { REF_Q2_K, REF_Q3_K, REF_Q5_K, REF_Q4_K, REF_Q6_K };
enum { REF_Q8K_BYTES = 292 };

static size_t ref_kq_block_bytes(enum ref_kq_type t) {
    return t == REF_Q2_K ? 84 : t == REF_Q3_K ? 110 : t == REF_Q5_K ? 176 : t == REF_Q4_K ? 144 : 210;
}

/// One super-block as integers: w_i = d·scale[i]·q[i] − dmin·min[i] (Q3_K: min 0, q signed).
typedef struct { int q[256], scale[256], min[256]; float d, dmin; } ref_kq_block;

/// Q4_K/Q5_K's 6-bit (scale, min) pair j of the 12 packed bytes s (ggml's get_scale_min_k4).
static void ref_scale_min_k4(int j, const uint8_t *s, int *sc, int *m) {
    if (j < 4) {
        *sc = s[j] & 63;
        *m = s[j + 4] & 63;
    } else {
        *sc = (s[j + 4] & 0xF) | ((s[j - 4] >> 6) << 4);
        *m = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
    }
}

/// Unpacks one super-block, following ggml's dequantize loops element by element.
static void ref_kq_unpack(enum ref_kq_type t, const uint8_t *blk, ref_kq_block *o) {
    int y = 0;
    if (t == REF_Q2_K) {
        o->d = ref_half_at(blk + 80);
        o->dmin = ref_half_at(blk + 82);
        int is = 0;
        for (int n = 0; n < 2; n++)
            for (int shift = 0; shift < 8; shift += 2)
                for (int half = 0; half < 2; half++, is++)
                    for (int l = 0; l < 16; l++, y++) {
                        o->q[y] = (blk[16 + 32 * n + 16 * half + l] >> shift) & 3;
                        o->scale[y] = blk[is] & 0xF;
                        o->min[y] = blk[is] >> 4;
                    }
    } else if (t == REF_Q3_K) {
        o->d = ref_half_at(blk + 108);
        o->dmin = 0;
        // ggml's aux[] rearrangement of the 12 scale bytes into 16 six-bit values
        uint32_t aux[4];
        memcpy(aux, blk + 96, 12);
        const uint32_t tmp = aux[2];
        aux[2] = ((aux[0] >> 4) & 0x0f0f0f0f) | (((tmp >> 4) & 0x03030303) << 4);
        aux[3] = ((aux[1] >> 4) & 0x0f0f0f0f) | (((tmp >> 6) & 0x03030303) << 4);
        aux[0] = (aux[0] & 0x0f0f0f0f) | (((tmp >> 0) & 0x03030303) << 4);
        aux[1] = (aux[1] & 0x0f0f0f0f) | (((tmp >> 2) & 0x03030303) << 4);
        int8_t scales[16];
        memcpy(scales, aux, 16);
        int is = 0, m = 1;
        for (int n = 0; n < 2; n++)
            for (int shift = 0; shift < 8; shift += 2, m <<= 1)
                for (int half = 0; half < 2; half++, is++)
                    for (int l = 0; l < 16; l++, y++) {
                        const int i = 32 * n + 16 * half + l, h = 16 * half + l;
                        o->q[y] = ((blk[32 + i] >> shift) & 3) - ((blk[h] & m) ? 0 : 4);
                        o->scale[y] = scales[is] - 32;
                        o->min[y] = 0;
                    }
    } else if (t == REF_Q4_K) {   // 64-element chunk j: low nibbles of qs[32j…], then high
        o->d = ref_half_at(blk);
        o->dmin = ref_half_at(blk + 2);
        for (int j = 0; j < 4; j++)
            for (int hi = 0; hi < 2; hi++) {
                int sc, m;
                ref_scale_min_k4(2 * j + hi, blk + 4, &sc, &m);
                for (int l = 0; l < 32; l++, y++) {
                    const uint8_t q = blk[16 + 32 * j + l];
                    o->q[y] = hi ? q >> 4 : q & 0xF;
                    o->scale[y] = sc;
                    o->min[y] = m;
                }
            }
    } else if (t == REF_Q6_K) {   // ggml's dequantize_row_q6_K: ql low 4 bits, qh high 2, minus 32
        o->d = ref_half_at(blk + 208);
        o->dmin = 0;
        for (int n = 0; n < 2; n++)
            for (int l = 0; l < 32; l++) {
                const uint8_t *ql = blk + 64 * n, *qh = blk + 128 + 32 * n;
                const int q[4] = {(ql[l] & 0xF) | ((qh[l] >> 0) & 3) << 4, (ql[l + 32] & 0xF) | ((qh[l] >> 2) & 3) << 4,
                                  (ql[l] >> 4) | ((qh[l] >> 4) & 3) << 4, (ql[l + 32] >> 4) | ((qh[l] >> 6) & 3) << 4};
                for (int i = 0; i < 4; i++) {
                    const int e = 128 * n + l + 32 * i;
                    o->q[e] = q[i] - 32;
                    o->scale[e] = (int8_t)blk[192 + e / 16];
                    o->min[e] = 0;
                }
            }
    } else {
        o->d = ref_half_at(blk);
        o->dmin = ref_half_at(blk + 2);
        int u1 = 1, u2 = 2;
        for (int j = 0; j < 4; j++, u1 <<= 2, u2 <<= 2) {
            int sc1, m1, sc2, m2;
            ref_scale_min_k4(2 * j, blk + 4, &sc1, &m1);
            ref_scale_min_k4(2 * j + 1, blk + 4, &sc2, &m2);
            for (int l = 0; l < 32; l++, y++) {
                o->q[y] = (blk[48 + 32 * j + l] & 0xF) + (blk[16 + l] & u1 ? 16 : 0);
                o->scale[y] = sc1;
                o->min[y] = m1;
            }
            for (int l = 0; l < 32; l++, y++) {
                o->q[y] = (blk[48 + 32 * j + l] >> 4) + (blk[16 + l] & u2 ? 16 : 0);
                o->scale[y] = sc2;
                o->min[y] = m2;
            }
        }
    }
}

/// W · X for one weight row and one Q8_K row of K elements, exactly in double: per super-block
/// the exact integers Σ scale·q·x and Σ min·x times the f32 products d_w·d_x and dmin_w·d_x the
/// kernels use. The mins' term takes Σ x from qs, not from bsums (the inputs' bsums are checked
/// to agree). `*mag` receives Σ|terms|.
static double ref_kq_dot(enum ref_kq_type t, const uint8_t *w, const uint8_t *x, int64_t k, double *mag) {
    double sum = 0, abs_sum = 0;
    ref_kq_block blk;
    for (int64_t b = 0; b < k / 256; b++) {
        const uint8_t *xb = x + b * REF_Q8K_BYTES;
        ref_kq_unpack(t, w + b * ref_kq_block_bytes(t), &blk);
        float dx;
        memcpy(&dx, xb, 4);
        int64_t isum = 0, iabs = 0, msum = 0, mabs = 0;
        for (int i = 0; i < 256; i++) {
            const int64_t xi = (int8_t)xb[4 + i];
            const int64_t p = (int64_t)blk.scale[i] * blk.q[i] * xi, pm = (int64_t)blk.min[i] * xi;
            isum += p;
            iabs += p < 0 ? -p : p;
            msum += pm;
            mabs += pm < 0 ? -pm : pm;
        }
        const float dd = blk.d * dx, dm = blk.dmin * dx;   // one f32 product each, as ggml
        sum += (double)isum * dd - (double)msum * dm;
        abs_sum += (double)iabs * fabs((double)dd) + (double)mabs * fabs((double)dm);
    }
    *mag = abs_sum;
    return sum;
}
