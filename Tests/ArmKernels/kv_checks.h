// Attention over a KV cache in ggml blocks (arm_kv_blocks.c, x86_kv_blocks.c): the scores of a
// Q8_0 query against runs of Q8_0 / Q4_0 key rows and the weighted sum of runs of value rows,
// per kernel set, held to the scalar definitions (ref_dot; w·q·d summed in double). Rows are
// strided as in a cache of 3 KV heads; head sizes of 1 to 17 blocks (the AVX-512 kernels keep
// up to 16 query blocks in registers and fall back past that). Keys and values are made as a
// cache holds them: Q8_0 by the scalar quantizer from hidden-state-like floats (ARM rounding on
// every ISA, so both builds see the same bytes), Q4_0 random nibbles with sane scales.
// Tolerance 1e-5 of Σ|terms| (float summation order). Included by kernel_checks.c.

typedef struct { const char *name; kk_kv_scores_fn fn; } named_kv_scores;
typedef struct { const char *name; kk_kv_accum_fn fn; } named_kv_accum;

/// The KV kernels of `set`, [0] Q8_0, [1] Q4_0; {0} where the set shares another's.
static void kv_kernels(const kernel_set *set, named_kv_scores scores[2], named_kv_accum accum[2]) {
    memset(scores, 0, 2 * sizeof *scores);
    memset(accum, 0, 2 * sizeof *accum);
#define KV_SET(isa_name, s_prefix, a_prefix)                                                       \
    if (strcmp(set->isa, isa_name) == 0) {                                                         \
        scores[0] = (named_kv_scores)KK_NAMED(s_prefix##q8_0);                                     \
        scores[1] = (named_kv_scores)KK_NAMED(s_prefix##q4_0);                                     \
        accum[0] = (named_kv_accum)KK_NAMED(a_prefix##q8_0);                                       \
        accum[1] = (named_kv_accum)KK_NAMED(a_prefix##q4_0);                                       \
    }
#if defined(__aarch64__)
    KV_SET("neon", kk_neon_kv_scores_, kk_neon_kv_accum_)
    if (strcmp(set->isa, "neon-dotprod") == 0) {   // SDOT scores; the float accumulation is shared
        scores[0] = (named_kv_scores)KK_NAMED(kk_neondot_kv_scores_q8_0);
        scores[1] = (named_kv_scores)KK_NAMED(kk_neondot_kv_scores_q4_0);
    }
#elif defined(__x86_64__)
    KV_SET("avx2", kk_avx2_kv_scores_, kk_avx2_kv_accum_)
    KV_SET("avx512-vnni", kk_avx512_kv_scores_, kk_avx512_kv_accum_)
#else
    (void)set;
#endif
#undef KV_SET
}

/// `len` rows of nb blocks of type t (REF_Q8_0 or REF_Q4_0), `stride` bytes apart.
static void fill_kv_rows(enum ref_type t, uint8_t *rows, int64_t len, int64_t nb, int64_t stride, ref_rng *g) {
    float x[32 * 17];
    for (int64_t p = 0; p < len; p++) {
        uint8_t *row = rows + p * stride;
        if (t == REF_Q8_0) {
            for (int64_t i = 0; i < 32 * nb; i++) x[i] = ref_activation(g);
            ref_quantize_q8(x, row, 32 * nb, 0, REF_ROUND_ARM);
            continue;
        }
        for (int64_t b = 0; b < nb; b++) {
            uint8_t *blk = row + 18 * b;
            for (int j = 2; j < 18; j++) blk[j] = (uint8_t)ref_next(g);
            const uint16_t d = ref_f32_to_f16(ref_uniform(g, 0.001f, 0.05f));
            memcpy(blk, &d, 2);
        }
    }
}

/// Records one call in `grp`: got[0 ..< n] within 1e-5 of Σ|terms| of want (mag), got[n] the
/// untouched sentinel.
static void kv_judge(check_group *grp, const float *got, const double *want, const double *mag,
                     int64_t n, int64_t nb, int64_t len, const char *what) {
    grp->exact_only = 0;
    grp->tol = 1e-5;
    for (int64_t i = 0; i < n; i++) {
        const double err = isfinite(got[i]) ? fabs(got[i] - want[i]) / (mag[i] > 1e-30 ? mag[i] : 1e-30) : INFINITY;
        if (err > grp->worst) grp->worst = err;
        if (err > 1e-5) {
            check_fail(grp, "nb=%" PRId64 " len=%" PRId64 " %s[%" PRId64 "] = %.9g, want %.9g", nb, len, what, i, got[i], want[i]);
            return;
        }
    }
    uint32_t bits;
    memcpy(&bits, &got[n], 4);
    if (bits != SENTINEL) { check_fail(grp, "nb=%" PRId64 " len=%" PRId64 ": wrote past its %s", nb, len, what); return; }
    grp->passed++;
}

static void check_kv_case(enum ref_type t, int64_t nb, int64_t len, const named_kv_scores *sk, const named_kv_accum *ak,
                          const kernel_set *set, ref_rng *g) {
    const size_t head = ref_block_bytes(t) * (size_t)nb;
    const int64_t stride = 3 * (int64_t)head, dh = 32 * nb;
    uint8_t *rows = calloc((size_t)(len * stride), 1), q[34 * 17];
    const uint8_t *k = rows + head;   // the second of the 3 heads
    float x[32 * 17], got[32 * 17 + 1], w[64], start[32 * 17];
    double want[32 * 17], mag[32 * 17];
    fill_kv_rows(t, rows + head, len, nb, stride, g);
    for (int64_t i = 0; i < dh; i++) x[i] = ref_activation(g);
    ref_quantize_q8(x, q, dh, 0, REF_ROUND_ARM);
    for (int64_t p = 0; p < len; p++) w[p] = ref_uniform(g, 0, 1);
    for (int64_t i = 0; i < dh; i++) start[i] = ref_uniform(g, -1, 1);
    digest_bytes(rows, (size_t)(len * stride));
    digest_bytes(q, 34 * (size_t)nb);
    if (sk->fn) {
        check_group *grp = group_named(sk->name, "scores of a Q8_0 query, Dh 32..544, runs of 1..61 strided rows");
        if (!set->runnable) { grp->skipped++; grp->skip_reason = set->needs; }
        else {
            for (int64_t p = 0; p <= len; p++) memcpy(&got[p], &SENTINEL, 4);
            sk->fn(q, k, stride, len, nb, got);
            for (int64_t p = 0; p < len; p++) want[p] = ref_dot(t, k + p * stride, q, dh, &mag[p]);
            kv_judge(grp, got, want, mag, len, nb, len, "scores");
        }
    }
    if (ak->fn) {
        check_group *grp = group_named(ak->name, "out += sum w*V over Q8_0/Q4_0 value rows, Dh 32..544");
        if (!set->runnable) { grp->skipped++; grp->skip_reason = set->needs; }
        else {
            memcpy(got, start, sizeof(float) * (size_t)dh);
            memcpy(&got[dh], &SENTINEL, 4);
            ak->fn(w, k, stride, len, nb, got);
            for (int64_t i = 0; i < dh; i++) {
                want[i] = start[i];
                mag[i] = fabs(start[i]);
                for (int64_t p = 0; p < len; p++) {
                    const uint8_t *blk = k + p * stride + ref_block_bytes(t) * (size_t)(i / 32);
                    const double v = (double)w[p] * (double)((float)ref_weight_q(t, blk, (int)(i % 32)) * ref_half_at(blk));
                    want[i] += v;
                    mag[i] += fabs(v);
                }
            }
            kv_judge(grp, got, want, mag, dh, nb, len, "outputs");
        }
    }
    free(rows);
}

static void check_kv_blocks(const kernel_set *sets, int nsets) {
    static const int64_t nbs[] = {1, 2, 3, 8, 16, 17}, lens[] = {1, 2, 5, 61};
    for (int ti = 0; ti < 2; ti++) {
        const enum ref_type t = ti == 0 ? REF_Q8_0 : REF_Q4_0;
        for (size_t a = 0; a < sizeof nbs / sizeof nbs[0]; a++)
            for (size_t b = 0; b < sizeof lens / sizeof lens[0]; b++)
                for (int s = 0; s < nsets; s++) {
                    named_kv_scores sk[2];
                    named_kv_accum ak[2];
                    kv_kernels(&sets[s], sk, ak);
                    // The same inputs for every set: the generator is seeded by the case alone.
                    ref_rng g = {0x4B56000ull ^ (uint64_t)ti << 32 ^ (uint64_t)nbs[a] << 8 ^ (uint64_t)lens[b]};
                    check_kv_case(t, nbs[a], lens[b], &sk[ti], &ak[ti], &sets[s], &g);
                }
    }
}
