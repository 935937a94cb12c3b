// Checks of the low-bit K-quant tile kernels (Q2_K, Q3_K, Q5_K × Q8_K), included by
// kernel_checks.c after its gemm helpers: the same calls, sentinels and tolerances as the other
// tile kernels, with inputs in the K-quant layouts.
//
// Inputs per shape, as for the other types:
//   exact   d, dmin and the activation d powers of two (1/8, 1/4), activation q in ±3: every
//           term is a multiple of 2^-6 and every partial sum stays below 2^18 (checked), so the
//           kernel must return the reference's bits whatever order it sums in.
//   random  weight bytes at random with d in [0.0005, 0.01), dmin in [0.0005, 0.02), activations
//           quantized the way ggml's quantize_row_q8_K does (d = amax/127 by the signed max).
// Every scale and min bit pattern occurs: the scales are random bytes in both families.
#pragma once
#include "scalar_reference_kquants_low.h"

static const char *const kq_type_names[] = {"Q2_K x Q8_K", "Q3_K x Q8_K", "Q5_K x Q8_K", "Q4_K x Q8_K", "Q6_K x Q8_K"};

static const int kq_tokens_long[] = {1, 5, 16};
static const gemm_shape kq_shapes[] = {
    SHAPE(256, 37, tokens_all, ranges_37), SHAPE(512, 37, tokens_all, ranges_37),
    SHAPE(768, 37, tokens_all, ranges_37), SHAPE(1280, 37, tokens_all, ranges_37),
    SHAPE(4096, 19, kq_tokens_long, ranges_19),
};

static float pow2_scale(ref_rng *g) { return ref_int(g, 0, 1) ? 0x1p-3f : 0x1p-2f; }

/// One weight row of nsb super-blocks: random bytes, then d (and dmin) set.
static void fill_kq_weights(enum ref_kq_type t, uint8_t *row, int64_t nsb, ref_rng *g, int exact) {
    const size_t bytes = ref_kq_block_bytes(t);
    const int d_at = t == REF_Q2_K ? 80 : t == REF_Q3_K ? 108 : t == REF_Q6_K ? 208 : 0, dmin_at = t == REF_Q2_K ? 82 : 2;
    for (int64_t b = 0; b < nsb; b++) {
        uint8_t *blk = row + b * bytes;
        for (size_t i = 0; i < bytes; i++) blk[i] = (uint8_t)ref_next(g);
        const uint16_t d = ref_f32_to_f16(exact ? pow2_scale(g) : ref_uniform(g, 0.0005f, 0.01f));
        const uint16_t dmin = ref_f32_to_f16(exact ? pow2_scale(g) : ref_uniform(g, 0.0005f, 0.02f));
        memcpy(blk + d_at, &d, 2);
        if (t != REF_Q3_K && t != REF_Q6_K) memcpy(blk + dmin_at, &dmin, 2);
        if (t == REF_Q6_K && exact)   // small 8-bit scales keep the exact sums exact in f32
            for (int j = 0; j < 16; j++) blk[192 + j] = (uint8_t)(int8_t)ref_int(g, -4, 4);
    }
}

/// One Q8_K activation row of K elements, with its bsums.
static void fill_q8k_activations(uint8_t *row, int64_t k, ref_rng *g, int exact) {
    for (int64_t b = 0; b < k / 256; b++) {
        uint8_t *blk = row + b * REF_Q8K_BYTES;
        int8_t *qs = (int8_t *)(blk + 4);
        float d;
        if (exact) {
            d = pow2_scale(g);
            for (int i = 0; i < 256; i++) qs[i] = (int8_t)ref_int(g, -3, 3);
        } else {
            float v[256], max = 0;
            for (int i = 0; i < 256; i++) {
                v[i] = ref_activation(g);
                if (fabsf(v[i]) > fabsf(max)) max = v[i];
            }
            const float iscale = -127.f / max;
            for (int i = 0; i < 256; i++) {
                const int q = (int)rintf(iscale * v[i]);
                qs[i] = (int8_t)(q < 127 ? q : 127);
            }
            d = 1 / iscale;
        }
        memcpy(blk, &d, 4);
        for (int j = 0; j < 16; j++) {
            int16_t s = 0;
            for (int i = 0; i < 16; i++) s = (int16_t)(s + qs[16 * j + i]);
            memcpy(blk + 260 + 2 * j, &s, 2);
        }
    }
}

static gemm_case make_kq_case(enum ref_kq_type t, const gemm_shape *s, int exact) {
    gemm_case c = {0};   // .type is not read by check_gemm_call
    c.exact = exact;
    c.k = s->k;
    c.rows = s->rows;
    for (int i = 0; i < s->ntokens; i++) c.nmax = s->tokens[i] > c.nmax ? s->tokens[i] : c.nmax;
    c.wrb = ref_kq_block_bytes(t) * (size_t)(c.k / 256);
    c.xrb = REF_Q8K_BYTES * (size_t)(c.k / 256);
    ref_rng g = {0x4B51000000ull ^ (uint64_t)t << 40 ^ (uint64_t)s->k << 8 ^ (uint64_t)exact};
    c.w = malloc(c.rows * c.wrb);
    c.x = malloc(c.nmax * c.xrb);
    c.want = malloc(sizeof(double) * c.nmax * c.rows);
    c.mag = malloc(sizeof(double) * c.nmax * c.rows);
    for (int64_t r = 0; r < c.rows; r++) fill_kq_weights(t, c.w + r * c.wrb, c.k / 256, &g, exact);
    for (int64_t n = 0; n < c.nmax; n++) fill_q8k_activations(c.x + n * c.xrb, c.k, &g, exact);
    check_group *ref = group_named("scalar reference", "f16/bf16 conversions exhaustive");
    for (int64_t n = 0; n < c.nmax; n++)
        for (int64_t r = 0; r < c.rows; r++) {
            double *mag = &c.mag[n * c.rows + r];
            c.want[n * c.rows + r] = ref_kq_dot(t, c.w + r * c.wrb, c.x + n * c.xrb, c.k, mag);
            if (exact && *mag >= 0x1p18) check_fail(ref, "%s K=%" PRId64 ": exact case sums to %g, past 2^18", kq_type_names[t], c.k, *mag);
        }
    digest_bytes(c.w, c.rows * c.wrb);
    digest_bytes(c.x, c.nmax * c.xrb);
    digest_bytes(c.want, sizeof(double) * c.nmax * c.rows);
    digest_bytes(c.mag, sizeof(double) * c.nmax * c.rows);
    return c;
}

/// A hand-made super-block per type, evaluated by hand, so the scalar reference's unpacking is
/// itself pinned (element 0, 17, 130 and 255 of each).
static void check_kq_reference(void) {
    check_group *g = group_named("scalar reference", "f16/bf16 conversions exhaustive");
    uint8_t blk[176] = {0};
    ref_kq_block o;
    // Q2_K: group 1 scale 5 min 2; element 17 = qs[17] bits 0-1; element 130 = qs[32 + 2] bits 0-1
    blk[1] = 0x25;
    blk[16 + 17] = 0x02;
    blk[16 + 34] = 0x03;
    blk[8] = 0x71;
    ref_kq_unpack(REF_Q2_K, blk, &o);
    check_expect(g, o.q[17] == 2 && o.scale[17] == 5 && o.min[17] == 2 && o.q[130] == 3 && o.scale[130] == 1 &&
                    o.min[130] == 7 && o.q[0] == 0, "Q2_K unpacking");
    // Q3_K: element 255 = n 1, j 3, l 31: qs[32 + 63] bits 6-7, hmask[31] bit 7; group 15's scale
    // low 4 bits in scales[7] >> 4, high 2 in scales[11] bits 6-7
    memset(blk, 0, sizeof blk);
    blk[32 + 63] = 0xC0;
    blk[31] = 0x80;
    blk[96 + 7] = 0x90;
    blk[96 + 11] = 0x80;
    ref_kq_unpack(REF_Q3_K, blk, &o);
    check_expect(g, o.q[255] == 3 && o.scale[255] == (0x29 - 32) && o.q[0] == -4 && o.scale[0] == -32,
                 "Q3_K unpacking");
    // Q5_K: element 255 = sub-block 7: qs[48 + 96 + 31] >> 4, qh[31] bit 7; pair 7: sc = scales[11] & 0xF
    // | (scales[3] >> 6) << 4, m = scales[11] >> 4 | (scales[7] >> 6) << 4
    memset(blk, 0, sizeof blk);
    blk[48 + 127] = 0xA0;
    blk[16 + 31] = 0x80;
    blk[4 + 11] = 0x35;
    blk[4 + 3] = 0x40;
    blk[4 + 7] = 0xC0;
    ref_kq_unpack(REF_Q5_K, blk, &o);
    check_expect(g, o.q[255] == 26 && o.scale[255] == 0x15 && o.min[255] == 0x33 && o.q[0] == 0, "Q5_K unpacking");
}

static void check_kquant_low(const kernel_set *sets, int nsets) {
    check_kq_reference();
    static char detail[5][96];
    const int nshapes = (int)(sizeof kq_shapes / sizeof kq_shapes[0]);
    for (int t = REF_Q2_K; t <= REF_Q6_K; t++) {
        snprintf(detail[t], sizeof detail[t], "%s: exact inputs bit-identical, K %" PRId64 "..%" PRId64 ", N 1-16",
                 kq_type_names[t], kq_shapes[0].k, kq_shapes[nshapes - 1].k);
        for (int si = 0; si < nshapes; si++)
            for (int exact = 1; exact >= 0; exact--) {
                gemm_case c = make_kq_case((enum ref_kq_type)t, &kq_shapes[si], exact);
                float *out = malloc(sizeof(float) * (c.nmax + 1) * c.rows);
                for (int s = 0; s < nsets; s++) {
                    named_gemm kernels[5];
                    kquant_low_kernels(&sets[s], kernels);
                    const named_gemm *kern = &kernels[t];
                    if (!kern->fn) continue;
                    check_group *g = group_named(kern->name, detail[t]);
                    g->exact_only = 0;
                    g->tol = 1e-5;
                    for (int ti = 0; ti < kq_shapes[si].ntokens; ti++)
                        for (int ri = 0; ri < kq_shapes[si].nranges; ri++) {
                            if (!sets[s].runnable) { g->skipped++; g->skip_reason = sets[s].needs; continue; }
                            check_gemm_call(g, kern, &c, kq_shapes[si].tokens[ti], kq_shapes[si].ranges[ri], out, 1e-5);
                        }
                }
                free(out);
                free_gemm_case(&c);
            }
    }
}
