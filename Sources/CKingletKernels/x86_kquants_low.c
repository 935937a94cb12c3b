// x86-64 tile kernels for the low-bit K-quants Q2_K, Q3_K and Q5_K × Q8_K activations, on AVX2
// and on AVX-512 VNNI (256-bit vectors). The scheme is in kquants_low.h: each super-block of a
// weight row is unpacked once to 256 unsigned bytes and 16 group scales, then used for up to 4
// tokens; per token the 8 × 32-byte u·x dots are scaled per 16-element group in i32.
#if defined(__x86_64__)
#include <immintrin.h>
#include "CKingletKernels.h"
#include "kquants_low.h"

#define KK_AVX2 __attribute__((target("avx2,fma,f16c")))

/// u[256]: the super-block `blk`'s weights as unsigned bytes, in element order.
static inline __attribute__((always_inline)) KK_AVX2
void kk_x86_kq_unpack(const int kind, const uint8_t *blk, uint8_t *u) {
    const __m256i one = _mm256_set1_epi8(1), three = _mm256_set1_epi8(3), low4 = _mm256_set1_epi8(0x0F);
    // Shifts are on 16-bit lanes; every mask keeps bits that came from the byte itself.
    if (kind == KK_Q2_K || kind == KK_Q3_K) {
        const uint8_t *qs = blk + (kind == KK_Q2_K ? 16 : 32);
        const __m256i hm = _mm256_loadu_si256((const __m256i *)blk);   // Q3_K's hmask
        for (int h = 0; h < 2; h++) {
            const __m256i q = _mm256_loadu_si256((const __m256i *)(qs + 32 * h));
            for (int j = 0; j < 4; j++) {
                __m256i v = _mm256_and_si256(_mm256_srli_epi16(q, 2 * j), three);
                if (kind == KK_Q3_K) {
                    const __m256i hb = _mm256_and_si256(_mm256_srli_epi16(hm, 4 * h + j), one);
                    v = _mm256_or_si256(v, _mm256_slli_epi16(hb, 2));
                }
                _mm256_storeu_si256((__m256i *)(u + 128 * h + 32 * j), v);
            }
        }
    } else {
        const __m256i qh = _mm256_loadu_si256((const __m256i *)(blk + 16));
        for (int j = 0; j < 4; j++) {
            const __m256i q = _mm256_loadu_si256((const __m256i *)(blk + 48 + 32 * j));
            const __m256i h0 = _mm256_and_si256(_mm256_srli_epi16(qh, 2 * j), one);
            const __m256i h1 = _mm256_and_si256(_mm256_srli_epi16(qh, 2 * j + 1), one);
            const __m256i lo = _mm256_or_si256(_mm256_and_si256(q, low4), _mm256_slli_epi16(h0, 4));
            const __m256i hi = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(q, 4), low4), _mm256_slli_epi16(h1, 4));
            _mm256_storeu_si256((__m256i *)(u + 64 * j), lo);
            _mm256_storeu_si256((__m256i *)(u + 64 * j + 32), hi);
        }
    }
}

// AVX2: maddubs gives i16 pair sums (at most 2·31·128, no saturation), madd multiplies them by
// the group scale as i16 and sums pairs into i32. The scale vector is 16 × i16, lanes 0-7 for
// the first 16 bytes (group 2v), 8-15 for the second (group 2v + 1).
#define KK_TARGET KK_AVX2
#define KK_NAME(x) kk_avx2_##x
#define KK_GROUP_SCALES(a, b) _mm256_set_m128i(_mm_set1_epi16(b), _mm_set1_epi16(a))
#define KK_DOT_SCALED(u, x, s) _mm256_madd_epi16(_mm256_maddubs_epi16((u), (x)), (s))
#include "x86_kquants_low_tile.h"
#undef KK_TARGET
#undef KK_NAME
#undef KK_GROUP_SCALES
#undef KK_DOT_SCALED

// AVX-512 VNNI: vpdpbusd sums 4 u8·s8 products per i32 lane, then one i32 multiply by the group
// scale (8 × i32, lanes 0-3 group 2v, 4-7 group 2v + 1).
#define KK_TARGET __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")))
#define KK_NAME(x) kk_vnni_##x
#define KK_GROUP_SCALES(a, b) _mm256_set_m128i(_mm_set1_epi32(b), _mm_set1_epi32(a))
#define KK_DOT_SCALED(u, x, s) _mm256_mullo_epi32(_mm256_dpbusd_epi32(_mm256_setzero_si256(), (u), (x)), (s))
#include "x86_kquants_low_tile.h"
#undef KK_TARGET
#undef KK_NAME
#undef KK_GROUP_SCALES
#undef KK_DOT_SCALED
#endif
