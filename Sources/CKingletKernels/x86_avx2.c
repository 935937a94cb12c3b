// x86-64 kernels for CPUs with AVX2, FMA and F16C. Each function carries its own target
// attribute, so this file compiles into every x86 build and is only called when
// kk_cpu_features() reports KK_CPU_AVX2.
#if defined(__x86_64__)
#include <immintrin.h>
#include <stdlib.h>
#include "CKingletKernels.h"

#define KK_TARGET __attribute__((target("avx2,fma,f16c")))
#define KK_NAME(x) kk_avx2_##x

// Σ of 4 adjacent u8·s8 products per i32 lane. maddubs sums pairs into i16 with saturation,
// which never triggers here: |u| ≤ 128 and |s| ≤ 127 give |pair| ≤ 32512.
#define KK_DOT_U8S8(u, s) _mm256_madd_epi16(_mm256_maddubs_epi16((u), (s)), _mm256_set1_epi16(1))
#define KK_R8_TT 2
#include "x86_quant_tile.h"
#undef KK_R8_TT
#include "x86_float_tile.h"
#undef KK_DOT_U8S8
#define KK_MADD16(acc, a, b) _mm256_add_epi32((acc), _mm256_madd_epi16((a), (b)))
#define KK_KQ_RT 2
#include "x86_kquant_tile.h"
#undef KK_MADD16
#undef KK_KQ_RT

// MARK: Activation quantization (llama.cpp's x86 quantize_row_q8_0 / q8_1)

/// One 32-block: d = amax/127, q = rint(x · 127/amax) (ties to even); returns Σq.
static inline __attribute__((always_inline)) KK_TARGET
int kk_avx2_quantize_block(const float *x, int8_t *qs, float *d_out) {
    __m256 v0 = _mm256_loadu_ps(x), v1 = _mm256_loadu_ps(x + 8);
    __m256 v2 = _mm256_loadu_ps(x + 16), v3 = _mm256_loadu_ps(x + 24);
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 amax = _mm256_max_ps(_mm256_andnot_ps(sign, v0), _mm256_andnot_ps(sign, v1));
    amax = _mm256_max_ps(amax, _mm256_max_ps(_mm256_andnot_ps(sign, v2), _mm256_andnot_ps(sign, v3)));
    __m128 m4 = _mm_max_ps(_mm256_extractf128_ps(amax, 1), _mm256_castps256_ps128(amax));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
    const float max_scalar = _mm_cvtss_f32(m4);
    *d_out = max_scalar / 127.f;
    const __m256 mul = _mm256_set1_ps(max_scalar != 0.0f ? 127.f / max_scalar : 0.0f);
#define KK_ROUND (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
    __m256i i0 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v0, mul), KK_ROUND));
    __m256i i1 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v1, mul), KK_ROUND));
    __m256i i2 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v2, mul), KK_ROUND));
    __m256i i3 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v3, mul), KK_ROUND));
#undef KK_ROUND
    __m256i sum = _mm256_add_epi32(_mm256_add_epi32(i0, i1), _mm256_add_epi32(i2, i3));
    __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(sum), _mm256_extracti128_si256(sum, 1));
    s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, _MM_SHUFFLE(1, 0, 3, 2)));
    s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, _MM_SHUFFLE(2, 3, 0, 1)));
    // packs work per 128-bit lane; the permute restores element order
    i0 = _mm256_packs_epi16(_mm256_packs_epi32(i0, i1), _mm256_packs_epi32(i2, i3));
    i0 = _mm256_permutevar8x32_epi32(i0, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256((__m256i *)qs, i0);
    return _mm_cvtsi128_si32(s4);
}

KK_TARGET void kk_avx2_quantize_q8_0(const float *x, void *out, int64_t k) {
    uint8_t *y = (uint8_t *)out;
    for (int64_t b = 0; b < k / 32; b++) {
        float d;
        kk_avx2_quantize_block(x + b * 32, (int8_t *)(y + b * 34 + 2), &d);
        *(uint16_t *)(y + b * 34) = _cvtss_sh(d, 0);
    }
}

KK_TARGET void kk_avx2_quantize_q8_1(const float *x, void *out, int64_t k) {
    uint8_t *y = (uint8_t *)out;
    for (int64_t b = 0; b < k / 32; b++) {
        float d;
        const int sum = kk_avx2_quantize_block(x + b * 32, (int8_t *)(y + b * 36 + 4), &d);
        *(uint16_t *)(y + b * 36) = _cvtss_sh(d, 0);
        *(uint16_t *)(y + b * 36 + 2) = _cvtss_sh(d * (float)sum, 0);   // s = d·Σq, f32 d
    }
}

KK_TARGET void kk_avx2_convert_f16(const float *x, void *out, int64_t k) {
    uint16_t *y = (uint16_t *)out;
    int64_t i = 0;
    for (; i + 8 <= k; i += 8)
        _mm_storeu_si128((__m128i *)(y + i), _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < k; i++) y[i] = _cvtss_sh(x[i], 0);
}

KK_TARGET void kk_avx2_convert_bf16(const float *x, void *out, int64_t k) {
    uint16_t *y = (uint16_t *)out;
    const uint32_t *u = (const uint32_t *)x;
    for (int64_t i = 0; i < k; i++) {   // ggml's GGML_FP32_TO_BF16 (vectorized by the compiler)
        const uint32_t v = u[i];
        y[i] = (v & 0x7fffffff) > 0x7f800000 ? (uint16_t)((v >> 16) | 64)
                                             : (uint16_t)((v + (0x7fff + ((v >> 16) & 1))) >> 16);
    }
}

// MARK: Dequantization (one row)

KK_TARGET void kk_avx2_dequantize_q8_0(const void *src, float *out, int64_t k) {
    const uint8_t *p = (const uint8_t *)src;
    for (int64_t b = 0; b < k / 32; b++, p += 34, out += 32) {
        const __m256 d = _mm256_set1_ps(_cvtsh_ss(*(const uint16_t *)p));
        for (int j = 0; j < 32; j += 8) {
            const __m256i q = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(p + 2 + j)));
            _mm256_storeu_ps(out + j, _mm256_mul_ps(_mm256_cvtepi32_ps(q), d));
        }
    }
}

/// value = q·d + m (m = -8d for Q4_0), fused like ggml's compiled dequantize_row_q4_*.
static inline __attribute__((always_inline)) KK_TARGET
void kk_avx2_dequantize_q4(const uint8_t *p, size_t bytes, int has_m, float *out, int64_t k) {
    for (int64_t b = 0; b < k / 32; b++, p += bytes, out += 32) {
        const __m256 d = _mm256_set1_ps(_cvtsh_ss(*(const uint16_t *)p));
        const __m256 m = has_m ? _mm256_set1_ps(_cvtsh_ss(*(const uint16_t *)(p + 2))) : _mm256_setzero_ps();
        const __m128i q = _mm_loadu_si128((const __m128i *)(p + (has_m ? 4 : 2)));
        __m128i lo = _mm_and_si128(q, _mm_set1_epi8(0x0F));
        __m128i hi = _mm_and_si128(_mm_srli_epi16(q, 4), _mm_set1_epi8(0x0F));
        if (!has_m) {
            lo = _mm_sub_epi8(lo, _mm_set1_epi8(8));
            hi = _mm_sub_epi8(hi, _mm_set1_epi8(8));
        }
        const __m128i halves[2] = {lo, hi};
        for (int h = 0; h < 2; h++) {
            const __m256i a = _mm256_cvtepi8_epi32(halves[h]);
            const __m256i c = _mm256_cvtepi8_epi32(_mm_srli_si128(halves[h], 8));
            if (has_m) {
                _mm256_storeu_ps(out + 16 * h, _mm256_fmadd_ps(_mm256_cvtepi32_ps(a), d, m));
                _mm256_storeu_ps(out + 16 * h + 8, _mm256_fmadd_ps(_mm256_cvtepi32_ps(c), d, m));
            } else {
                _mm256_storeu_ps(out + 16 * h, _mm256_mul_ps(_mm256_cvtepi32_ps(a), d));
                _mm256_storeu_ps(out + 16 * h + 8, _mm256_mul_ps(_mm256_cvtepi32_ps(c), d));
            }
        }
    }
}

KK_TARGET void kk_avx2_dequantize_q4_0(const void *src, float *out, int64_t k) {
    kk_avx2_dequantize_q4((const uint8_t *)src, 18, 0, out, k);
}

KK_TARGET void kk_avx2_dequantize_q4_1(const void *src, float *out, int64_t k) {
    kk_avx2_dequantize_q4((const uint8_t *)src, 20, 1, out, k);
}

KK_TARGET void kk_avx2_dequantize_f16(const void *src, float *out, int64_t k) {
    const uint16_t *h = (const uint16_t *)src;
    int64_t i = 0;
    for (; i + 8 <= k; i += 8) _mm256_storeu_ps(out + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(h + i))));
    for (; i < k; i++) out[i] = _cvtsh_ss(h[i]);
}

KK_TARGET void kk_avx2_dequantize_bf16(const void *src, float *out, int64_t k) {
    const uint16_t *h = (const uint16_t *)src;
    uint32_t *o = (uint32_t *)out;
    for (int64_t i = 0; i < k; i++) o[i] = (uint32_t)h[i] << 16;
}
#endif
