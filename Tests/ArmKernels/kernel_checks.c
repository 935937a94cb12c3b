// Every AArch64 kernel of CKingletKernels, called directly the way Swift's dispatch calls it
// (TypeKernels+C.swift: dense rows, out_stride = R, rows [r0, r1) × N tokens), and held to the
// scalar definitions in scalar_reference.h. scripts/test-arm-kernels.sh builds it for AArch64 and
// runs it under qemu (-cpu max: NEON + dot product; -cpu cortex-a53: NEON only), and builds the
// same program natively on x86-64, where it holds the x86 twins to the same cases.
//
// Tile kernels get two families of inputs per shape:
//   exact   power-of-two scales and small integers, so every partial sum is exact in f32: the
//           kernel must return the reference's bits whatever order it sums in.
//   random  like real weights and hidden states (the Swift tests' RandomWeights and
//           randomActivations). The kernels sum in another order than the reference, so the error
//           is bounded relative to Σ|terms|, as in FastKernelTests: 1e-5 for quantized types,
//           2e-5 for F32/F16/BF16 (observed: ~1e-7). A wrong nibble, scale, offset or sign shows
//           at ≥ 1e-3, the size of the 8-bit activation rounding.
// Activation quantizers must match the scalar quantizer with their ISA's rounding bit for bit.
// Every call also proves it wrote nothing outside its rows and tokens.
//
// Usage: kernel-checks [--expect-dotprod | --expect-no-dotprod]
// Prints one line per check group and, last, `P passed, F failed`; exits 1 on any failure.
//
// Legend: K = elements per row, nb = K / 32, R = weight rows, N = tokens.
#include <stdlib.h>
#include "check_report.h"
#include "kernel_sets.h"
#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20)
#endif
#endif

static const char *const type_names[REF_NTYPES] = {"F32",         "F16",         "BF16",        "Q4_0 x Q8_0",
                                                   "Q4_1 x Q8_1", "Q8_0 x Q8_0", "Q5_0 x Q8_0", "Q5_1 x Q8_1"};

// MARK: - Shapes

typedef struct { int64_t r0, r1; } row_range;
typedef struct {
    int64_t k, rows;
    const int *tokens;
    int ntokens;
    const row_range *ranges;
    int nranges;
} gemm_shape;

// N: every tail of the 4-token (ARM) and 8-token (x86) groups, and a second group.
static const int tokens_all[] = {1, 2, 3, 4, 5, 6, 7, 8, 11};
// R = 37: whole, starting past 0, one row, 17 rows (a 16-row block and one), the last row, and
// 7 rows from 2 (one 4-row matvec tile and three single rows).
static const row_range ranges_37[] = {{0, 37}, {1, 37}, {3, 4}, {5, 22}, {36, 37}, {2, 9}};
// Long rows: with N ≥ 8 the activation scales outgrow the kernels' 2048-float stack buffer.
static const int tokens_long[] = {1, 8, 16};
static const row_range ranges_19[] = {{0, 19}, {3, 19}};

#define SHAPE(K, R, T, RR) {K, R, T, sizeof T / sizeof T[0], RR, sizeof RR / sizeof RR[0]}
static const gemm_shape quant_shapes[] = {
    SHAPE(32, 37, tokens_all, ranges_37), SHAPE(64, 37, tokens_all, ranges_37),
    SHAPE(96, 37, tokens_all, ranges_37), SHAPE(160, 37, tokens_all, ranges_37),
    SHAPE(576, 37, tokens_all, ranges_37), SHAPE(4160, 19, tokens_long, ranges_19),
};
// K around and between the vector widths (4 f32 lanes on NEON, 8 on AVX2), so every tail runs.
static const gemm_shape float_shapes[] = {
    SHAPE(1, 37, tokens_all, ranges_37), SHAPE(2, 37, tokens_all, ranges_37),
    SHAPE(3, 37, tokens_all, ranges_37), SHAPE(4, 37, tokens_all, ranges_37),
    SHAPE(5, 37, tokens_all, ranges_37), SHAPE(7, 37, tokens_all, ranges_37),
    SHAPE(8, 37, tokens_all, ranges_37), SHAPE(9, 37, tokens_all, ranges_37),
    SHAPE(13, 37, tokens_all, ranges_37), SHAPE(31, 37, tokens_all, ranges_37),
    SHAPE(37, 37, tokens_all, ranges_37), SHAPE(64, 37, tokens_all, ranges_37),
    SHAPE(100, 37, tokens_all, ranges_37), SHAPE(1541, 19, tokens_long, ranges_19),
};

// MARK: - Inputs

static uint16_t pow2_half(ref_rng *g) { return ref_f32_to_f16(ref_int(g, 0, 1) ? 0x1p-3f : 0x1p-2f); }

/// One row of a float type. Exact: i/16 with |i| ≤ 16. Random: uniform in [-1, 1).
static void fill_float_row(enum ref_type t, uint8_t *row, int64_t k, ref_rng *g, int exact) {
    for (int64_t i = 0; i < k; i++) {
        const float v = exact ? (float)ref_int(g, -16, 16) / 16 : ref_uniform(g, -1, 1);
        if (t == REF_F32) { memcpy(row + 4 * i, &v, 4); continue; }
        const uint16_t h = t == REF_F16 ? ref_f32_to_f16(v) : ref_f32_to_bf16(v);
        memcpy(row + 2 * i, &h, 2);
    }
}

/// One weight row of nb blocks. Random (RandomWeights): any bytes, d in [0.001, 0.05), Q4_1's and
/// Q5_1's m in [-0.4, 0.1). Exact: d a power of two, m a multiple of 1/8, Q8_0's q in ±15. The
/// nibbles and Q5's qh stay random bytes in both families, so every 4- and 5-bit value occurs
/// (exact Q5 sums stay below 2^17 in steps of 2^-6 at K = 4160: exact in f32).
static void fill_quant_weights(enum ref_type t, uint8_t *row, int64_t nb, ref_rng *g, int exact) {
    const size_t bytes = ref_block_bytes(t);
    for (int64_t b = 0; b < nb; b++) {
        uint8_t *blk = row + b * bytes;
        for (size_t i = 0; i < bytes; i++) blk[i] = (uint8_t)ref_next(g);
        const uint16_t d = exact ? pow2_half(g) : ref_f32_to_f16(ref_uniform(g, 0.001f, 0.05f));
        memcpy(blk, &d, 2);
        if (ref_has_min(t)) {
            const uint16_t m = ref_f32_to_f16(exact ? (float)ref_int(g, -8, 8) * 0x1p-3f : ref_uniform(g, -0.4f, 0.1f));
            memcpy(blk + 2, &m, 2);
        }
        if (t == REF_Q8_0 && exact)
            for (int j = 0; j < 32; j++) blk[2 + j] = (uint8_t)(int8_t)ref_int(g, -15, 15);
    }
}

/// One activation row in the partner layout of quantized type t (Q8_1 for Q4_1/Q5_1, else Q8_0).
/// Random: hidden-state-like floats through the scalar quantizer (ARM rounding on every ISA, so
/// both builds get the same blocks). Exact: d a power of two, q in ±15, s a multiple of 1/8 (the
/// kernels take s as given).
static void fill_quant_activations(enum ref_type t, uint8_t *row, int64_t k, ref_rng *g, int exact, float *scratch) {
    const int with_sum = ref_has_min(t);
    if (!exact) {
        for (int64_t i = 0; i < k; i++) scratch[i] = ref_activation(g);
        ref_quantize_q8(scratch, row, k, with_sum, REF_ROUND_ARM);
        return;
    }
    const size_t bytes = with_sum ? 36 : 34, qs = with_sum ? 4 : 2;
    for (int64_t b = 0; b < k / 32; b++) {
        uint8_t *blk = row + b * bytes;
        const uint16_t d = pow2_half(g), s = ref_f32_to_f16((float)ref_int(g, -256, 256) * 0x1p-3f);
        memcpy(blk, &d, 2);
        if (with_sum) memcpy(blk + 2, &s, 2);
        for (int j = 0; j < 32; j++) blk[qs + j] = (uint8_t)(int8_t)ref_int(g, -15, 15);
    }
}

// MARK: - Tile kernels

/// One weight matrix, the activations of up to nmax tokens, and the reference products.
typedef struct {
    enum ref_type type;
    int exact;
    int64_t k, rows, nmax;
    size_t wrb, xrb;     // dense rows, as Swift passes them
    uint8_t *w;          // [rows, wrb] weight layout
    uint8_t *x;          // [nmax, xrb] partner layout
    double *want, *mag;  // [nmax, rows] W[r] · X[t] and Σ|terms|
} gemm_case;

static gemm_case make_gemm_case(enum ref_type t, const gemm_shape *s, int exact) {
    gemm_case c = {t, exact, s->k, s->rows, 0, ref_row_bytes(t, s->k), ref_partner_row_bytes(t, s->k), 0, 0, 0, 0};
    for (int i = 0; i < s->ntokens; i++) c.nmax = s->tokens[i] > c.nmax ? s->tokens[i] : c.nmax;
    ref_rng g = {0x5EED0000ull ^ (uint64_t)t << 40 ^ (uint64_t)s->k << 8 ^ (uint64_t)exact};
    c.w = malloc(c.rows * c.wrb);
    c.x = malloc(c.nmax * c.xrb);
    c.want = malloc(sizeof(double) * c.nmax * c.rows);
    c.mag = malloc(sizeof(double) * c.nmax * c.rows);
    float *scratch = malloc(sizeof(float) * c.k);
    for (int64_t r = 0; r < c.rows; r++) {
        if (ref_is_quant(t)) fill_quant_weights(t, c.w + r * c.wrb, c.k / 32, &g, exact);
        else fill_float_row(t, c.w + r * c.wrb, c.k, &g, exact);
    }
    for (int64_t n = 0; n < c.nmax; n++) {
        if (ref_is_quant(t)) fill_quant_activations(t, c.x + n * c.xrb, c.k, &g, exact, scratch);
        else fill_float_row(t, c.x + n * c.xrb, c.k, &g, exact);
    }
    for (int64_t n = 0; n < c.nmax; n++)
        for (int64_t r = 0; r < c.rows; r++)
            c.want[n * c.rows + r] = ref_dot(t, c.w + r * c.wrb, c.x + n * c.xrb, c.k, &c.mag[n * c.rows + r]);
    free(scratch);
    digest_bytes(c.w, c.rows * c.wrb);
    digest_bytes(c.x, c.nmax * c.xrb);
    digest_bytes(c.want, sizeof(double) * c.nmax * c.rows);
    digest_bytes(c.mag, sizeof(double) * c.nmax * c.rows);
    return c;
}

static void free_gemm_case(gemm_case *c) { free(c->w); free(c->x); free(c->want); free(c->mag); }

static const uint32_t SENTINEL = 0x7FC0DEAD;   // a NaN no kernel produces

/// One call: out [n + 1, R] starts as sentinels; rows [r0, r1) of the first n tokens must match
/// the reference, everything else must be untouched.
static void check_gemm_call(check_group *g, const named_gemm *kern, const gemm_case *c, int n, row_range rr,
                            float *out, double tol) {
    const int64_t R = c->rows;
    for (int64_t i = 0; i < (n + 1) * R; i++) memcpy(&out[i], &SENTINEL, 4);
    const kk_gemm_args args = {c->w, c->wrb, c->x, c->xrb, out, R, c->k, n, rr.r0, rr.r1};
    kern->fn(&args);
    for (int64_t t = 0; t <= n; t++)
        for (int64_t r = 0; r < R; r++) {
            const float got = out[t * R + r];
            uint32_t bits;
            memcpy(&bits, &got, 4);
            const int inside = t < n && r >= rr.r0 && r < rr.r1;
            const double want = inside ? c->want[t * R + r] : 0, mag = inside ? c->mag[t * R + r] : 0;
            int ok;
            if (!inside) ok = bits == SENTINEL;
            else if (c->exact) ok = got == (float)want;
            else {
                const double err = isfinite(got) ? fabs((double)got - want) / (mag > 1e-30 ? mag : 1e-30) : INFINITY;
                ok = err <= tol;
                if (err > g->worst) g->worst = err;
            }
            if (ok) continue;
            if (!inside)
                check_fail(g, "K=%" PRId64 " R=%" PRId64 " rows [%" PRId64 ", %" PRId64 ") n=%d: wrote out[t=%" PRId64
                           ", r=%" PRId64 "] outside its rows/tokens",
                           c->k, R, rr.r0, rr.r1, n, t, r);
            else
                check_fail(g, "K=%" PRId64 " R=%" PRId64 " rows [%" PRId64 ", %" PRId64 ") n=%d %s inputs: out[t=%" PRId64
                           ", r=%" PRId64 "] = %.9g, want %.9g (sum|terms| %.3g)",
                           c->k, R, rr.r0, rr.r1, n, c->exact ? "exact" : "random", t, r, got, want, mag);
            return;
        }
    g->passed++;
}

static void check_gemm_type(enum ref_type t, const kernel_set *sets, int nsets) {
    const int quant = ref_is_quant(t);
    const gemm_shape *shapes = quant ? quant_shapes : float_shapes;
    const int nshapes = quant ? (int)(sizeof quant_shapes / sizeof quant_shapes[0])
                              : (int)(sizeof float_shapes / sizeof float_shapes[0]);
    const double tol = quant ? 1e-5 : 2e-5;
    static char detail[REF_NTYPES][96];
    snprintf(detail[t], sizeof detail[t], "%s: exact inputs bit-identical, K %" PRId64 "..%" PRId64 ", N 1-16",
             type_names[t], shapes[0].k, shapes[nshapes - 1].k);
    for (int si = 0; si < nshapes; si++)
        for (int exact = 1; exact >= 0; exact--) {
            gemm_case c = make_gemm_case(t, &shapes[si], exact);
            float *out = malloc(sizeof(float) * (c.nmax + 1) * c.rows);
            for (int s = 0; s < nsets; s++) {
                const named_gemm *kern = &sets[s].gemm[t];
                if (!kern->fn) continue;
                check_group *g = group_named(kern->name, detail[t]);
                g->exact_only = 0;
                g->tol = tol;
                for (int ti = 0; ti < shapes[si].ntokens; ti++)
                    for (int ri = 0; ri < shapes[si].nranges; ri++) {
                        if (!sets[s].runnable) { g->skipped++; g->skip_reason = sets[s].needs; continue; }
                        check_gemm_call(g, kern, &c, shapes[si].tokens[ti], shapes[si].ranges[ri], out, tol);
                    }
            }
            free(out);
            free_gemm_case(&c);
        }
}

#include "kquant_low_checks.h"   // Q2_K, Q3_K, Q5_K: the same gemm checks on K-quant inputs
#include "kv_checks.h"           // attention over a Q8_0 / Q4_0 KV cache

// MARK: - Activation quantizers

/// A block whose 8-bit rounding differs between the ARM variant x·(1/d) and the x86 variant
/// x·(127/amax): values next to the rounding midpoints, found by search. Returns how many differ.
static int rounding_split_block(float *v) {
    for (int a = 0; a < 256; a++) {
        const float amax = 1.0f + (float)a / 64, d = amax / 127, id = 1 / d, mul = 127 / amax;
        if (id == mul) continue;
        int found = 0;
        memset(v, 0, 32 * sizeof(float));
        v[0] = amax;
        for (int q = 0; q < 127 && found < 31; q++) {
            float x = nextafterf(nextafterf((q + 0.5f) / mul, 0), 0);
            for (int u = 0; u < 5 && found < 31; u++, x = nextafterf(x, amax)) {
                if (x > amax || rintf(x * id) == rintf(x * mul)) continue;
                v[1 + found] = found % 2 ? -x : x;
                found++;
            }
        }
        if (found) return found;
    }
    return 0;
}

/// Six blocks of edge cases (K = 192): all zero; ties (amax 127 gives d = 1, so q = x ± ½ must round
/// to even); one negative value alone; tiny (d underflows f16 to 0); huge (Q8_1's s overflows f16
/// to inf, as in ggml); values where the two roundings differ.
static int special_blocks(float *v) {
    memset(v, 0, 192 * sizeof(float));
    float *ties = v + 32, *one = v + 64, *tiny = v + 96, *huge = v + 128;
    ties[0] = 127;
    for (int j = 1; j < 32; j++) ties[j] = (j % 2 ? -1.0f : 1.0f) * ((float)j + 0.5f);
    one[7] = -3.0f;
    ref_rng g = {0x71E5};
    for (int j = 0; j < 32; j++) tiny[j] = ref_uniform(&g, -1, 1) * 1e-20f;
    for (int j = 0; j < 32; j++) huge[j] = ref_uniform(&g, -60000, 60000);
    return rounding_split_block(v + 160);
}

static void check_quantizer(const named_quantize *q, int with_sum, enum ref_rounding rounding, const float *x,
                            int64_t k, const char *what, check_group *g) {
    const size_t bytes = (with_sum ? 36 : 34) * (size_t)(k / 32);
    uint8_t *want = malloc(bytes), *got = malloc(bytes + 64);
    ref_quantize_q8(x, want, k, with_sum, rounding);
    memset(got, 0xA5, bytes + 64);
    q->fn(x, got, k);
    size_t bad = 0;
    while (bad < bytes && got[bad] == want[bad]) bad++;
    size_t spill = bytes;
    while (spill < bytes + 64 && got[spill] == 0xA5) spill++;
    if (bad < bytes) {
        const size_t bb = with_sum ? 36 : 34;
        check_fail(g, "%s K=%" PRId64 ": block %zu byte %zu = 0x%02x, want 0x%02x", what, k, bad / bb, bad % bb, got[bad],
                   want[bad]);
    } else if (spill < bytes + 64) {
        check_fail(g, "%s K=%" PRId64 ": wrote byte %zu past its %zu bytes", what, k, spill - bytes, bytes);
    } else {
        g->passed++;
    }
    free(want);
    free(got);
}

static void check_quantizers(const kernel_set *sets, int nsets) {
    static const int64_t ks[] = {32, 64, 96, 4160};
    enum { NCASES = 5 };
    float *rows[NCASES];
    int64_t k[NCASES];
    const char *what[NCASES] = {"random", "random", "random", "random", "edge blocks"};
    ref_rng g = {0x0A7};
    for (int i = 0; i < 4; i++) {
        k[i] = ks[i];
        rows[i] = malloc(sizeof(float) * k[i]);
        for (int64_t j = 0; j < k[i]; j++) rows[i][j] = ref_activation(&g);
    }
    k[4] = 192;
    rows[4] = malloc(sizeof(float) * 192);
    const int split = special_blocks(rows[4]);
    check_expect(group_named("scalar reference", "f16/bf16 conversions exhaustive"), split > 0,
                 "found no values where the ARM and x86 roundings differ");
    for (int i = 0; i < NCASES; i++) {
        digest_bytes(rows[i], sizeof(float) * k[i]);
        for (int with_sum = 0; with_sum <= 1; with_sum++)
            for (int r = REF_ROUND_ARM; r <= REF_ROUND_X86; r++) {
                uint8_t *ref = malloc((size_t)k[i] / 32 * 36);
                ref_quantize_q8(rows[i], ref, k[i], with_sum, (enum ref_rounding)r);
                digest_bytes(ref, (size_t)k[i] / 32 * (with_sum ? 36 : 34));
                free(ref);
            }
    }
    static char detail[2][96];
    for (int s = 0; s < nsets; s++)
        for (int with_sum = 0; with_sum <= 1; with_sum++) {
            const named_quantize *q = with_sum ? &sets[s].q8_1 : &sets[s].q8_0;
            if (!q->fn) continue;
            snprintf(detail[with_sum], sizeof detail[with_sum], "bit-identical (%s rounding), K 32..4160 + %d split values",
                     sets[s].rounding == REF_ROUND_ARM ? "ARM" : "x86", split);
            check_group *grp = group_named(q->name, detail[with_sum]);
            for (int i = 0; i < NCASES; i++) {
                if (!sets[s].runnable) { grp->skipped++; grp->skip_reason = sets[s].needs; continue; }
                check_quantizer(q, with_sum, sets[s].rounding, rows[i], k[i], what[i], grp);
            }
        }
    for (int i = 0; i < NCASES; i++) free(rows[i]);
}

// MARK: - The scalar reference itself, CPU detection, spin hint and atomics

static void check_reference(void) {
    check_group *g = group_named("scalar reference", "f16/bf16 conversions exhaustive");
    int round_trip = 1, ties = 1, bf16 = 1;
    for (uint32_t h = 0; h < 0x10000; h++) {
        const float f = ref_f16_to_f32((uint16_t)h);
        const int nan = (h & 0x7C00) == 0x7C00 && (h & 0x3FF);
        if (nan ? !isnan(f) || (ref_f32_to_f16(f) & 0x7FFF) <= 0x7C00 : ref_f32_to_f16(f) != h) round_trip = 0;
        const float b = ref_bf16_to_f32((uint16_t)h);
        if (!isnan(b) && ref_f32_to_bf16(b) != h) bf16 = 0;
        if ((h & 0x7FFF) < 0x7C00 && (h & 0x7FFF) != 0x7BFF) {   // finite, with a finite neighbour above
            const uint16_t up = (uint16_t)(h + 1);
            const float mid = (f + ref_f16_to_f32(up)) / 2;      // exact: 12 significant bits
            const uint16_t even = h % 2 ? up : (uint16_t)h;
            if (ref_f32_to_f16(mid) != even || ref_f32_to_f16(nextafterf(mid, 0)) != h ||
                ref_f32_to_f16(nextafterf(mid, f > 0 || h == 0 ? INFINITY : -INFINITY)) != up)
                ties = 0;
        }
    }
    check_expect(g, round_trip, "f16 -> f32 -> f16 does not return every half");
    check_expect(g, ties, "f32 -> f16 does not round to nearest, ties to even");
    check_expect(g, ref_f32_to_f16(65519.996f) == 0x7BFF && ref_f32_to_f16(65520.0f) == 0x7C00,
                 "f32 -> f16 overflow threshold");
    check_expect(g, bf16, "bf16 -> f32 -> bf16 does not return every bf16");
}

static void feature_names(uint32_t f, char *buf, size_t size) {
    snprintf(buf, size, "%s%s%s%s%s", f & KK_CPU_AVX2 ? " avx2+fma+f16c" : "", f & KK_CPU_AVX512 ? " avx512f/bw/vl" : "",
             f & KK_CPU_AVX512VNNI ? " avx512-vnni" : "", f & KK_CPU_NEON ? " neon" : "",
             f & KK_CPU_DOTPROD ? " dotprod" : "");
}

static void check_cpu(uint32_t cpu, int expect_dotprod) {
    check_group *g = group_named("cpu.c + atomics", "kk_cpu_features, kk_cpu_relax, kk_atomic_*");
#if defined(__aarch64__)
    check_expect(g, (cpu & KK_CPU_NEON) != 0, "kk_cpu_features() lacks KK_CPU_NEON on AArch64");
#if defined(__linux__)
    const int hw_dotprod = (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
    printf("getauxval(AT_HWCAP) & HWCAP_ASIMDDP: %s\n", hw_dotprod ? "yes" : "no");
    check_expect(g, hw_dotprod == ((cpu & KK_CPU_DOTPROD) != 0), "KK_CPU_DOTPROD disagrees with AT_HWCAP");
#endif
    if (expect_dotprod >= 0)
        check_expect(g, expect_dotprod == ((cpu & KK_CPU_DOTPROD) != 0),
                     expect_dotprod ? "expected a CPU with dotprod (qemu -cpu max)" : "expected a CPU without dotprod");
#else
    check_expect(g, expect_dotprod < 0, "--expect-dotprod / --expect-no-dotprod only apply on AArch64");
    check_expect(g, !(cpu & KK_CPU_AVX512VNNI) || (cpu & KK_CPU_AVX512), "AVX512VNNI reported without AVX512");
#endif
    for (int i = 0; i < 1000; i++) kk_cpu_relax();
    int64_t v = 5, expected = 4;
    kk_atomic_store_release(&v, 7);
    const int64_t sum = kk_atomic_add_acq_rel(&v, 3);
    const _Bool swapped_wrong = kk_atomic_cas(&v, &expected, 1);
    const _Bool swapped = kk_atomic_cas(&v, &expected, 2);
    check_expect(g, kk_atomic_load_acquire(&v) == 2 && sum == 10 && !swapped_wrong && expected == 10 && swapped,
                 "atomics: store 7, add 3 -> 10, cas(4) fails with 10, cas(10 -> 2) succeeds");
}

int main(int argc, char **argv) {
    int expect_dotprod = -1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--expect-dotprod") == 0) expect_dotprod = 1;
        else if (strcmp(argv[i], "--expect-no-dotprod") == 0) expect_dotprod = 0;
        else { fprintf(stderr, "usage: %s [--expect-dotprod | --expect-no-dotprod]\n", argv[0]); return 2; }
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    const uint32_t cpu = kk_cpu_features();
    kernel_set sets[MAX_SETS];
    const int nsets = kernel_sets(sets, cpu);
    char names[96];
    feature_names(cpu, names, sizeof names);
#if defined(__aarch64__)
    printf("CKingletKernels checks, aarch64; kk_cpu_features():%s\n", names);
#else
    printf("CKingletKernels checks, x86-64 twins of the AArch64 kernels; kk_cpu_features():%s\n", names);
#endif
    check_reference();
    check_cpu(cpu, expect_dotprod);
    check_quantizers(sets, nsets);
    for (int t = REF_F32; t < REF_NTYPES; t++) check_gemm_type((enum ref_type)t, sets, nsets);
    check_kquant_low(sets, nsets);
    check_kv_blocks(sets, nsets);
    report_groups();

    int64_t passed = 0, failed = nsets == 0;   // an architecture without kernel sets is a failure
    for (int i = 0; i < group_count; i++) { passed += groups[i].passed; failed += groups[i].failed; }
    printf("kernel sets run:");
    for (int s = 0; s < nsets; s++) if (sets[s].runnable) printf(" %s", sets[s].isa);
    printf("; skipped:");
    int skipped = 0;
    for (int s = 0; s < nsets; s++) if (!sets[s].runnable) { printf(" %s, this CPU lacks %s", sets[s].isa, sets[s].needs); skipped++; }
    printf("%s\n", skipped ? "" : " none");
    printf("inputs+references fnv1a64 %016" PRIx64 "\n", case_digest);
    printf("%" PRId64 " passed, %" PRId64 " failed\n", passed, failed);
    return failed ? 1 : 0;
}
