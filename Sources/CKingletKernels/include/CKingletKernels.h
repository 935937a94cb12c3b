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
/// A spin-wait hint (PAUSE / YIELD).
void kk_cpu_relax(void);
