// Which C kernels this build checks: per ISA, the kernels Swift's dispatch table puts together
// (KernelTable+arm.swift, KernelTable+x86.swift), and whether this CPU may run them
// (kk_cpu_features(), the bits the Swift table is chosen from).
//
// AArch64: "neon" (baseline) and "neon-dotprod" (SDOT tiles; float tiles and quantizers shared).
// x86-64, the twins: "avx2" and "avx512-vnni" — the same functions with the same signatures, so
// the same cases and the same references keep both ports in step.
#pragma once
#include "CKingletKernels.h"
#include "scalar_reference.h"

typedef struct { const char *name; kk_gemm_fn fn; } named_gemm;
typedef struct { const char *name; kk_quantize_fn fn; } named_quantize;
#define KK_NAMED(f) { #f, f }

typedef struct {
    const char *isa;               // as KernelTable names it
    const char *needs;             // the CPU feature it needs, for the skip lines
    int runnable;                  // this CPU has it
    named_gemm gemm[REF_NTYPES];   // by enum ref_type; {0} where the ISA shares another set's
    named_quantize q8_0, q8_1;     // activation quantizers; {0} where shared
    enum ref_rounding rounding;
} kernel_set;

enum { MAX_SETS = 2 };

/// Fills `sets` (MAX_SETS) for this build and CPU; returns how many.
static int kernel_sets(kernel_set *sets, uint32_t cpu) {
#if defined(__aarch64__)
    sets[0] = (kernel_set){
        "neon", "neon", (cpu & KK_CPU_NEON) != 0,
        {KK_NAMED(kk_neon_gemm_f32), KK_NAMED(kk_neon_gemm_f16), KK_NAMED(kk_neon_gemm_bf16),
         KK_NAMED(kk_neon_gemm_q4_0), KK_NAMED(kk_neon_gemm_q4_1), KK_NAMED(kk_neon_gemm_q8_0),
         KK_NAMED(kk_neon_gemm_q5_0), KK_NAMED(kk_neon_gemm_q5_1)},
        KK_NAMED(kk_neon_quantize_q8_0), KK_NAMED(kk_neon_quantize_q8_1), REF_ROUND_ARM,
    };
    sets[1] = (kernel_set){
        "neon-dotprod", "dotprod (HWCAP_ASIMDDP)", (cpu & KK_CPU_DOTPROD) != 0,
        {{0}, {0}, {0},
         KK_NAMED(kk_neondot_gemm_q4_0), KK_NAMED(kk_neondot_gemm_q4_1), KK_NAMED(kk_neondot_gemm_q8_0),
         KK_NAMED(kk_neondot_gemm_q5_0), KK_NAMED(kk_neondot_gemm_q5_1)},
        {0}, {0}, REF_ROUND_ARM,
    };
    return 2;
#elif defined(__x86_64__)
    sets[0] = (kernel_set){
        "avx2", "avx2+fma+f16c", (cpu & KK_CPU_AVX2) != 0,
        {KK_NAMED(kk_avx2_gemm_f32), KK_NAMED(kk_avx2_gemm_f16), KK_NAMED(kk_avx2_gemm_bf16),
         KK_NAMED(kk_avx2_gemm_q4_0), KK_NAMED(kk_avx2_gemm_q4_1), KK_NAMED(kk_avx2_gemm_q8_0),
         KK_NAMED(kk_avx2_gemm_q5_0), KK_NAMED(kk_avx2_gemm_q5_1)},
        KK_NAMED(kk_avx2_quantize_q8_0), KK_NAMED(kk_avx2_quantize_q8_1), REF_ROUND_X86,
    };
    sets[1] = (kernel_set){
        "avx512-vnni", "avx2 and avx512-vnni",
        (cpu & KK_CPU_AVX2) != 0 && (cpu & KK_CPU_AVX512VNNI) != 0,
        {{0}, {0}, {0},
         KK_NAMED(kk_vnni_gemm_q4_0), KK_NAMED(kk_vnni_gemm_q4_1), KK_NAMED(kk_vnni_gemm_q8_0),
         KK_NAMED(kk_vnni_gemm_q5_0), KK_NAMED(kk_vnni_gemm_q5_1)},
        {0}, {0}, REF_ROUND_X86,
    };
    return 2;
#else
    (void)sets;
    (void)cpu;
    return 0;
#endif
}

// MARK: - Low-bit K-quants (Q2_K, Q3_K, Q5_K × Q8_K; x86_kquants_low.c, arm_neon.c)

/// The K-quant tile kernels of `set`, by enum ref_kq_type (scalar_reference_kquants_low.h).
static void kquant_low_kernels(const kernel_set *set, named_gemm out[5]) {
    memset(out, 0, 5 * sizeof *out);
#define KQ_LOW(isa_name, prefix)                                                                   \
    if (strcmp(set->isa, isa_name) == 0) {                                                         \
        out[0] = (named_gemm)KK_NAMED(prefix##q2_K);                                               \
        out[1] = (named_gemm)KK_NAMED(prefix##q3_K);                                               \
        out[2] = (named_gemm)KK_NAMED(prefix##q5_K);                                               \
        out[3] = (named_gemm)KK_NAMED(prefix##q4_K);                                               \
        out[4] = (named_gemm)KK_NAMED(prefix##q6_K);                                               \
    }
#if defined(__aarch64__)
    KQ_LOW("neon", kk_neon_gemm_)
    KQ_LOW("neon-dotprod", kk_neondot_gemm_)
#elif defined(__x86_64__)
    KQ_LOW("avx2", kk_avx2_gemm_)
    KQ_LOW("avx512-vnni", kk_vnni_gemm_)
#else
    (void)set;
#endif
#undef KQ_LOW
}
