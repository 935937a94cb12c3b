// CPU feature detection and the spin hint.
#include "CKingletKernels.h"
#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#endif
#if defined(__aarch64__) && defined(__APPLE__)
#include <sys/sysctl.h>
#endif

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
    f |= KK_CPU_NEON;   // baseline on AArch64
#if defined(__linux__)
    if (getauxval(AT_HWCAP) & (1UL << 20)) f |= KK_CPU_DOTPROD;   // HWCAP_ASIMDDP
#elif defined(__APPLE__)
    int dot = 0;
    size_t size = sizeof(dot);
    if (sysctlbyname("hw.optional.arm.FEAT_DotProd", &dot, &size, NULL, 0) == 0 && dot) f |= KK_CPU_DOTPROD;
#elif defined(__ARM_FEATURE_DOTPROD)
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
