// CPU feature detection and the spin hint.
#include "CKingletKernels.h"

uint32_t kk_cpu_features(void) {
    uint32_t f = 0;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c"))
        f |= KK_CPU_AVX2;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
        f |= KK_CPU_AVX512;
    if ((f & KK_CPU_AVX512) && __builtin_cpu_supports("avx512vnni"))
        f |= KK_CPU_AVX512VNNI;
#elif defined(__aarch64__)
    f |= KK_CPU_NEON;
#if defined(__ARM_FEATURE_DOTPROD)
    f |= KK_CPU_DOTPROD;
#endif
#endif
    return f;
}

void kk_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}
