// x86-64 tile kernels for CPUs with AVX-512 VNNI (Ice Lake, Sapphire Rapids, Zen 4+). They are
// the AVX2 tile kernels (x86_quant_tile.h) with the u8·s8 dot done by one vpdpbusd on 256-bit
// vectors (AVX512VL) instead of vpmaddubsw + vpmaddwd. vpdpbusd does not saturate.
#if defined(__x86_64__)
#include <immintrin.h>
#include <stdlib.h>
#include "CKingletKernels.h"

#define KK_TARGET __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")))
#define KK_NAME(x) kk_vnni_##x
#define KK_DOT_U8S8(u, s) _mm256_dpbusd_epi32(_mm256_setzero_si256(), (u), (s))
#define KK_DOT_U8S8_ACC(acc, u, s) _mm256_dpbusd_epi32((acc), (u), (s))
#define KK_R8_TT 4
#include "x86_quant_tile.h"
#undef KK_R8_TT
#undef KK_DOT_U8S8_ACC
#undef KK_DOT_U8S8
// vpdpwssd: the i16 pair products added to i32 lanes in one instruction (exact, as vpmaddwd)
#define KK_MADD16(acc, a, b) _mm256_dpwssd_epi32((acc), (a), (b))
#define KK_KQ_RT 4
#include "x86_kquant_tile.h"
#undef KK_MADD16
#undef KK_KQ_RT
#endif
