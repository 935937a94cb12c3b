// CKingletKernels: the C side of Kinglet's kernels.
//
// Only what Swift cannot express well lives here: ggml's block layouts (so Swift and C share one
// definition), CPU feature detection, a few atomics for the thread pool, and the SIMD kernels,
// each compiled with a function-level target attribute so the library still loads on CPUs
// without that extension. Which kernel runs is decided once, in Swift's dispatch table.
//
// Legend for shape comments: K = columns (elements per row), nb = K / 32 blocks per row,
// R = weight rows, N = activation rows (tokens).
#pragma once
#include <stddef.h>
#include <stdint.h>

// MARK: - Block layouts (exactly ggml's; sizes pinned by tests)

/// Q4_0: 32 weights, value = (q - 8) * d. Element j of the low half is qs[j] & 0xF,
/// element j + 16 is qs[j] >> 4.                                           18 bytes.
typedef struct { uint16_t d; uint8_t qs[16]; } kk_block_q4_0;
/// Q4_1: 32 weights, value = q * d + m.                                     20 bytes.
typedef struct { uint16_t d; uint16_t m; uint8_t qs[16]; } kk_block_q4_1;
/// Q8_0: 32 values, value = q * d.                                          34 bytes.
typedef struct { uint16_t d; int8_t qs[32]; } kk_block_q8_0;
/// Q8_1: like Q8_0 plus s = d * sum(q) (f16), the partner of Q4_1.          36 bytes.
typedef struct { uint16_t d; uint16_t s; int8_t qs[32]; } kk_block_q8_1;
/// Q5_0: 32 weights, value = (q - 16) * d, q = nibble (as Q4_0) | bit j of qh << 4.  22 bytes.
typedef struct { uint16_t d; uint8_t qh[4]; uint8_t qs[16]; } kk_block_q5_0;
/// Q5_1: 32 weights, value = q * d + m, q as Q5_0.                              24 bytes.
typedef struct { uint16_t d; uint16_t m; uint8_t qh[4]; uint8_t qs[16]; } kk_block_q5_1;
/// Q4_K: 256 weights in 8 sub-blocks of 32, value = d·sc·q − dmin·m with 6-bit sc, m packed in
/// `scales` (Types/Q4_K.swift).                                                144 bytes.
typedef struct { uint16_t d; uint16_t dmin; uint8_t scales[12]; uint8_t qs[128]; } kk_block_q4_K;
/// Q6_K: 256 weights in 16 sub-blocks of 16, value = d·scales[s]·(q − 32), q 6 bits split over
/// ql (low 4) and qh (high 2) (Types/Q6_K.swift).                             210 bytes.
typedef struct { uint8_t ql[128]; uint8_t qh[64]; int8_t scales[16]; uint16_t d; } kk_block_q6_K;
/// Q8_K: 256 activations, value = q * d (f32 d), bsums[j] = Σ qs[16j ..< 16j + 16].  292 bytes.
typedef struct { float d; int8_t qs[256]; int16_t bsums[16]; } kk_block_q8_K;

// MARK: - CPU features

enum {
    KK_CPU_AVX2       = 1 << 0,  // with FMA and F16C
    KK_CPU_AVX512     = 1 << 1,  // F, BW, VL
    KK_CPU_AVX512VNNI = 1 << 2,
    KK_CPU_NEON       = 1 << 3,
    KK_CPU_DOTPROD    = 1 << 4,  // aarch64 SDOT/UDOT
};
/// Bit set of KK_CPU_* flags for the CPU this process runs on.
uint32_t kk_cpu_features(void);

// MARK: - Atomics for the thread pool (Swift's Synchronization needs macOS 15)

static inline int64_t kk_atomic_load_acquire(const int64_t *p) {
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
static inline void kk_atomic_store_release(int64_t *p, int64_t v) {
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}
/// Returns the new value.
static inline int64_t kk_atomic_add_acq_rel(int64_t *p, int64_t v) {
    return __atomic_add_fetch(p, v, __ATOMIC_ACQ_REL);
}
/// Compare-and-swap; on failure `*expected` receives the current value.
static inline _Bool kk_atomic_cas(int64_t *p, int64_t *expected, int64_t desired) {
    return __atomic_compare_exchange_n(p, expected, desired, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}
/// A spin-wait hint (PAUSE / YIELD).
void kk_cpu_relax(void);

// MARK: - Tile kernels

/// Arguments of a tile kernel: out[t, r] = W[r] · X[t] for r in [r0, r1), t in [0, n).
typedef struct {
    const void *w;        // [R, w_row_bytes] weight rows in the weight layout
    size_t w_row_bytes;
    const void *x;        // [N, x_row_bytes] activation rows in the partner layout
    size_t x_row_bytes;
    float *out;           // [N, out_stride] f32
    int64_t out_stride;   // R
    int64_t k;            // K, elements per row
    int64_t n;            // N, tokens
    int64_t r0, r1;       // the rows this call computes
} kk_gemm_args;

typedef void (*kk_gemm_fn)(const kk_gemm_args *args);
/// Converts [k] f32 into the partner layout (Q8_0/Q8_1 blocks, f16 or bf16 values).
typedef void (*kk_quantize_fn)(const float *x, void *out, int64_t k);
/// Converts [k] elements in a weight layout into [k] f32.
typedef void (*kk_dequantize_fn)(const void *src, float *out, int64_t k);

// x86-64, AVX2 + FMA + F16C (callable only when kk_cpu_features() has KK_CPU_AVX2).
// Activation quantizers use llama.cpp's x86 rounding (x · 127/amax, ties to even).
void kk_avx2_gemm_q4_0(const kk_gemm_args *args);   // × Q8_0
void kk_avx2_gemm_q4_1(const kk_gemm_args *args);   // × Q8_1
void kk_avx2_gemm_q8_0(const kk_gemm_args *args);   // × Q8_0
void kk_avx2_gemm_f32(const kk_gemm_args *args);    // × F32
void kk_avx2_gemm_f16(const kk_gemm_args *args);    // × F16
void kk_avx2_gemm_bf16(const kk_gemm_args *args);   // × BF16
void kk_avx2_quantize_q8_0(const float *x, void *out, int64_t k);
void kk_avx2_quantize_q8_1(const float *x, void *out, int64_t k);
void kk_avx2_convert_f16(const float *x, void *out, int64_t k);
void kk_avx2_convert_bf16(const float *x, void *out, int64_t k);
void kk_avx2_dequantize_q4_0(const void *src, float *out, int64_t k);
void kk_avx2_dequantize_q4_1(const void *src, float *out, int64_t k);
void kk_avx2_dequantize_q8_0(const void *src, float *out, int64_t k);
void kk_avx2_dequantize_f16(const void *src, float *out, int64_t k);
void kk_avx2_dequantize_bf16(const void *src, float *out, int64_t k);

// x86-64 F16 vector kernels for attention (AVX2 + F16C; x86_avx2_f16vec.c).
float kk_avx2_dot_f16(const float *q, const uint16_t *k, int64_t n);
void kk_avx2_axpy_f16(float a, const uint16_t *v, float *y, int64_t n);
void kk_avx2_round_f16(float *x, int64_t n);
void kk_avx2_to_f16(const float *src, uint16_t *dst, int64_t n);
/// One query attending over an F16 KV head (dh ≤ 512); see x86_avx2_f16vec.c.
void kk_avx2_attend_f16(const float *q, const uint16_t *k, const uint16_t *v, int64_t stride,
                        int64_t len, int64_t dh, float scale, float *scores, float *out);
/// y[i] = e^(x[i]) (≤ 2 ulp of expf; 0 below −86): the exp of the F16 attention softmax. See x86_softmax_f16.c.
void kk_avx2_exp(const float *x, float *y, int64_t n);
/// g ← silu(g)·u, silu(x) = x / (1 + e^(−x)) with kk_avx2_exp's e^x (x86_glu.c).
void kk_avx2_swiglu(float *g, const float *u, int64_t n);
/// g ← gelu(g)·u through ggml's F16 GELU table [65536] (0 at ≤ −10, x·u at ≥ 10; x86_glu.c).
void kk_avx2_geglu(float *g, const float *u, const float *table, int64_t n);
/// s[p] ← f16-rounded softmax probabilities of the scores s (max `mx`): kk_avx2_exp(s − mx), summed
/// in double, scaled by 1/Σ, rounded to F16. The one softmax of the F16 attention kernels.
void kk_avx2_softmax_round_f16(float *s, int64_t len, float mx);
/// `nq` queries of one GQA group (q + j·q_stride) over the same positions of one F16 KV head, each
/// key and value row converted once for all: bit for bit `nq` calls of kk_avx2_attend_f16.
/// scores: [nq·len] scratch; out + j·out_stride: [dh]. `wide`: the CPU has AVX-512 VL (more
/// registers, the same results). See x86_attend_group.c.
void kk_avx2_attend_f16_group(const float *q, int64_t q_stride, int64_t nq, const uint16_t *k, const uint16_t *v,
                              int64_t stride, int64_t len, int64_t dh, float scale, float *scores,
                              float *out, int64_t out_stride, int32_t wide);

// x86-64 fp32 GEMM pieces (AVX2 + FMA; x86_avx2_sgemm.c), driven by Swift's Sgemm. Packed
// panels: A [kc][6] per 6 rows of op(A), B [kc][16] per 16 columns of op(B), zero-padded.
/// Packs op(A)[0..<mc, 0..<kc] (src at op(A)[0, 0]; trans: op(A) = Aᵀ) into ceil(mc/6) A panels.
/// dst: ceil(mc/6)·kc·6 floats.
void kk_avx2_sgemm_pack_a(const float *src, int64_t ld, int trans, int64_t mc, int64_t kc, float *dst);
/// Packs op(B)[0..<kc, 0..<nc] (src at op(B)[0, 0]; trans: op(B) = Bᵀ) into ceil(nc/16) B panels.
void kk_avx2_sgemm_pack_b(const float *src, int64_t ld, int trans, int64_t nc, int64_t kc, float *dst);
/// c[rows × cols] (+)= A panels [rows/6][kc][6] · b (kc rows of 16 floats, row stride rsb),
/// 6×16 tiles down one column; cols ≤ 16.
void kk_avx2_sgemm_tiles(int64_t kc, const float *a, int64_t rows, const float *b, int64_t rsb,
                         float *c, int64_t ldc, int64_t cols, int accumulate);

// x86-64, AVX-512 VNNI on 256-bit vectors (needs KK_CPU_AVX2 | KK_CPU_AVX512VNNI): the AVX2
// tile kernels with maddubs+madd replaced by one vpdpbusd.
void kk_vnni_gemm_q4_0(const kk_gemm_args *args);
void kk_vnni_gemm_q4_1(const kk_gemm_args *args);
void kk_vnni_gemm_q8_0(const kk_gemm_args *args);

// Q5_0 (× Q8_0), Q5_1 (× Q8_1), Q4_K and Q6_K (× Q8_K) on every ISA; K a multiple of 256 for
// the K-quants. kk_quantize_q8_K is plain C (ggml's one Q8_K rounding, the same on every ISA).
void kk_quantize_q8_K(const float *x, void *out, int64_t k);
void kk_avx2_gemm_q5_0(const kk_gemm_args *args);
void kk_avx2_gemm_q5_1(const kk_gemm_args *args);
void kk_avx2_gemm_q4_K(const kk_gemm_args *args);
void kk_avx2_gemm_q6_K(const kk_gemm_args *args);
void kk_vnni_gemm_q5_0(const kk_gemm_args *args);
void kk_vnni_gemm_q5_1(const kk_gemm_args *args);
void kk_vnni_gemm_q4_K(const kk_gemm_args *args);
void kk_vnni_gemm_q6_K(const kk_gemm_args *args);
void kk_neon_gemm_q5_0(const kk_gemm_args *args);
void kk_neon_gemm_q5_1(const kk_gemm_args *args);
void kk_neon_gemm_q4_K(const kk_gemm_args *args);
void kk_neon_gemm_q6_K(const kk_gemm_args *args);
void kk_neondot_gemm_q5_0(const kk_gemm_args *args);
void kk_neondot_gemm_q5_1(const kk_gemm_args *args);
void kk_neondot_gemm_q4_K(const kk_gemm_args *args);
void kk_neondot_gemm_q6_K(const kk_gemm_args *args);

// AArch64 NEON (baseline) and NEON with the dot-product extension (needs KK_CPU_DOTPROD).
// Activation quantizers use llama.cpp's ARM rounding (x · 1/d, ties to even).
void kk_neon_gemm_q4_0(const kk_gemm_args *args);
void kk_neon_gemm_q4_1(const kk_gemm_args *args);
void kk_neon_gemm_q8_0(const kk_gemm_args *args);
void kk_neondot_gemm_q4_0(const kk_gemm_args *args);
void kk_neondot_gemm_q4_1(const kk_gemm_args *args);
void kk_neondot_gemm_q8_0(const kk_gemm_args *args);
void kk_neon_gemm_f32(const kk_gemm_args *args);
void kk_neon_gemm_f16(const kk_gemm_args *args);
void kk_neon_gemm_bf16(const kk_gemm_args *args);
void kk_neon_quantize_q8_0(const float *x, void *out, int64_t k);
void kk_neon_quantize_q8_1(const float *x, void *out, int64_t k);

// MARK: - Attention over a KV cache in ggml blocks (Q8_0, Q4_0; x86_kv_blocks.c, arm_kv_blocks.c)
//
// Keys and values of one KV head: nb = head size / 32 blocks per row, row p of a run at
// base + p·stride bytes. The query is one row of nb Q8_0 blocks (the key type's vec_dot partner).

/// Attention's softmax numerators in place (softmax.c, every ISA): scores[i] ← exp(s_i − max s),
/// s_i = scores[i]·scale, soft-capped to cap·tanh(s_i / cap) when softcap > 0; returns 1 / Σ
/// (summed in double). scores: [n].
float kk_softmax_numerators(float *scores, int64_t n, float scale, float softcap);

/// scores[p] = K_p · q for p in [0, len): per block the integer dot, times d_k·d_q. scores: [len].
typedef void (*kk_kv_scores_fn)(const void *q, const void *k, int64_t stride, int64_t len, int64_t nb, float *scores);
/// out[i] += Σ_p w[p] · V_p[i] for i in [0, 32·nb), V_p dequantized (q·d). w: [len]; out: [32·nb].
typedef void (*kk_kv_accum_fn)(const float *w, const void *v, int64_t stride, int64_t len, int64_t nb, float *out);

void kk_avx2_kv_scores_q8_0(const void *q, const void *k, int64_t stride, int64_t len, int64_t nb, float *scores);
void kk_avx2_kv_scores_q4_0(const void *q, const void *k, int64_t stride, int64_t len, int64_t nb, float *scores);
void kk_avx2_kv_accum_q8_0(const float *w, const void *v, int64_t stride, int64_t len, int64_t nb, float *out);
void kk_avx2_kv_accum_q4_0(const float *w, const void *v, int64_t stride, int64_t len, int64_t nb, float *out);
/// AVX-512 F/BW/VL + VNNI (512-bit vpdpbusd, two blocks per register).
void kk_avx512_kv_scores_q8_0(const void *q, const void *k, int64_t stride, int64_t len, int64_t nb, float *scores);
void kk_avx512_kv_scores_q4_0(const void *q, const void *k, int64_t stride, int64_t len, int64_t nb, float *scores);
void kk_avx512_kv_accum_q8_0(const float *w, const void *v, int64_t stride, int64_t len, int64_t nb, float *out);
void kk_avx512_kv_accum_q4_0(const float *w, const void *v, int64_t stride, int64_t len, int64_t nb, float *out);
/// AArch64: NEON, NEON + SDOT (scores only; the accumulation is float work, shared).
void kk_neon_kv_scores_q8_0(const void *q, const void *k, int64_t stride, int64_t len, int64_t nb, float *scores);
void kk_neon_kv_scores_q4_0(const void *q, const void *k, int64_t stride, int64_t len, int64_t nb, float *scores);
void kk_neondot_kv_scores_q8_0(const void *q, const void *k, int64_t stride, int64_t len, int64_t nb, float *scores);
void kk_neondot_kv_scores_q4_0(const void *q, const void *k, int64_t stride, int64_t len, int64_t nb, float *scores);
void kk_neon_kv_accum_q8_0(const float *w, const void *v, int64_t stride, int64_t len, int64_t nb, float *out);
void kk_neon_kv_accum_q4_0(const float *w, const void *v, int64_t stride, int64_t len, int64_t nb, float *out);

// MARK: - Low-bit K-quants (Q2_K, Q3_K, Q5_K) × Q8_K   (x86_kquants_low.c; arm_neon.c)
//
// Super-blocks of 256 weights (ggml's QK_K), in sub-blocks of 16 (Q2_K, Q3_K) or 32 (Q5_K)
// with 4- or 6-bit scales. Activations are Q8_K rows: per 256 elements
// { f32 d; i8 qs[256]; i16 bsums[16] } (292 bytes), bsums[j] = Σ qs[16j ..< 16j + 16], read at
// those byte offsets (4, 260).
// Legend: nsb = K / 256 super-blocks per row.

/// Q2_K: value = d·(scales[s] & 0xF)·q − dmin·(scales[s] >> 4), q 2 bits, s = element / 16.
/// Element 128·h + 32·j + l is (qs[32·h + l] >> 2j) & 3.                       84 bytes.
typedef struct { uint8_t scales[16]; uint8_t qs[64]; uint16_t d; uint16_t dmin; } kk_block_q2_K;
/// Q3_K: value = d·(sc[s] − 32)·(q − 4), sc 6 bits packed in `scales`, q = 2 low bits (as Q2_K)
/// | hmask bit (hmask[l] >> (4·h + j)) & 1 as bit 2.                           110 bytes.
typedef struct { uint8_t hmask[32]; uint8_t qs[64]; uint8_t scales[12]; uint16_t d; } kk_block_q3_K;
/// Q5_K: value = d·sc[s]·q − dmin·m[s], s = element / 32, 6-bit sc/m packed as Q4_K's; element
/// 64·j + l (+ 32) is qs[32·j + l] & 0xF (>> 4) | ((qh[l] >> 2j (+1)) & 1) << 4.  176 bytes.
typedef struct { uint16_t d; uint16_t dmin; uint8_t scales[12]; uint8_t qh[32]; uint8_t qs[128]; } kk_block_q5_K;

void kk_avx2_gemm_q2_K(const kk_gemm_args *args);   // × Q8_K (AVX2 + FMA + F16C)
void kk_avx2_gemm_q3_K(const kk_gemm_args *args);
void kk_avx2_gemm_q5_K(const kk_gemm_args *args);
void kk_vnni_gemm_q2_K(const kk_gemm_args *args);   // × Q8_K (AVX-512 VNNI on 256-bit vectors)
void kk_vnni_gemm_q3_K(const kk_gemm_args *args);
void kk_vnni_gemm_q5_K(const kk_gemm_args *args);
void kk_neon_gemm_q2_K(const kk_gemm_args *args);   // × Q8_K (NEON)
void kk_neon_gemm_q3_K(const kk_gemm_args *args);
void kk_neon_gemm_q5_K(const kk_gemm_args *args);
void kk_neondot_gemm_q2_K(const kk_gemm_args *args);   // × Q8_K (NEON + dot product)
void kk_neondot_gemm_q3_K(const kk_gemm_args *args);
void kk_neondot_gemm_q5_K(const kk_gemm_args *args);
