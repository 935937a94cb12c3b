// fp32 GEMM building blocks for AVX2 + FMA: panel packing and the 6×16 register tile.
// The loops around them (cache blocking, threads) are Swift: KingletKernels/Sgemm/SgemmDriver.swift.
// Plain Swift twins: SgemmPortable.swift (same packed layouts) and Reference/ReferenceSgemm.swift.
//
// Packed layouts (MR = 6, NR = 16), a panel per MR rows of op(A) / NR columns of op(B):
//   A panel: [kc][6]  — element (i, p) at p*6 + i, rows past the edge zero
//   B panel: [kc][16] — element (p, j) at p*16 + j, columns past the edge zero
// Called only when kk_cpu_features() reports KK_CPU_AVX2.
#if defined(__x86_64__)
#include <immintrin.h>
#include "CKingletKernels.h"

#define KK_TARGET __attribute__((target("avx2,fma")))
#define KK_INLINE static inline __attribute__((always_inline)) KK_TARGET
enum { MR = 6, NR = 16 };

/// Transposes 8 rows of 8 floats in place: r[i][j] ← r[j][i].
KK_INLINE void kk_transpose8(__m256 r[8]) {
    const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    const __m256 u0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 u1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
    const __m256 u2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 u3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
    const __m256 u4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 u5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
    const __m256 u6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 u7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
    r[0] = _mm256_permute2f128_ps(u0, u4, 0x20); r[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
    r[1] = _mm256_permute2f128_ps(u1, u5, 0x20); r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
    r[2] = _mm256_permute2f128_ps(u2, u6, 0x20); r[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
    r[3] = _mm256_permute2f128_ps(u3, u7, 0x20); r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

// MARK: Packing

/// One A panel from `rows` (≤ 6) rows of op(A) and `kc` columns. Not transposed: row i of op(A)
/// is src + i*ld (contiguous along k). The 8-wide stores spill 2 zeros into the next slot, which
/// the next store overwrites; the last of each 8 stores only its 6.
KK_INLINE void kk_pack_a_rows(const float *src, int64_t ld, int64_t rows, int64_t kc, float *dst) {
    const float *row[MR];
    for (int i = 0; i < MR; i++) row[i] = src + (i < rows ? i : 0) * ld;
    int64_t p = 0;
    for (; p + 8 <= kc; p += 8) {
        __m256 r[8];
        for (int i = 0; i < MR; i++) r[i] = i < rows ? _mm256_loadu_ps(row[i] + p) : _mm256_setzero_ps();
        r[6] = r[7] = _mm256_setzero_ps();
        kk_transpose8(r);
        for (int q = 0; q < 7; q++) _mm256_storeu_ps(dst + (p + q) * MR, r[q]);
        _mm_storeu_ps(dst + (p + 7) * MR, _mm256_castps256_ps128(r[7]));
        _mm_storel_pi((__m64 *)(dst + (p + 7) * MR + 4), _mm256_extractf128_ps(r[7], 1));
    }
    for (; p < kc; p++)
        for (int i = 0; i < MR; i++) dst[p * MR + i] = i < rows ? row[i][p] : 0.0f;
}

/// One A panel from op(A) = Aᵀ: column p of op(A) is src + p*ld (contiguous along m).
KK_INLINE void kk_pack_a_cols(const float *src, int64_t ld, int64_t rows, int64_t kc, float *dst) {
    if (rows == MR) {
        for (int64_t p = 0; p < kc; p++) {
            const float *s = src + p * ld;
            _mm_storeu_ps(dst + p * MR, _mm_loadu_ps(s));
            _mm_storel_pi((__m64 *)(dst + p * MR + 4), _mm_castpd_ps(_mm_load_sd((const double *)(s + 4))));
        }
        return;
    }
    for (int64_t p = 0; p < kc; p++)
        for (int i = 0; i < MR; i++) dst[p * MR + i] = i < rows ? src[p * ld + i] : 0.0f;
}

/// Packs rows [0, mc) × columns [0, kc) of op(A) into ceil(mc/6) panels of [kc][6].
/// src points at op(A)[0, 0]; trans: op(A) = Aᵀ. dst: ceil(mc/6)*kc*6 floats.
KK_TARGET void kk_avx2_sgemm_pack_a(const float *src, int64_t ld, int trans, int64_t mc, int64_t kc, float *dst) {
    for (int64_t i = 0; i < mc; i += MR, dst += kc * MR) {
        const int64_t rows = mc - i < MR ? mc - i : MR;
        if (trans) kk_pack_a_cols(src + i, ld, rows, kc, dst);
        else kk_pack_a_rows(src + i * ld, ld, rows, kc, dst);
    }
}

/// Packs rows [0, kc) × columns [0, nc) of op(B) into ceil(nc/16) panels of [kc][16].
/// src points at op(B)[0, 0]; trans: op(B) = Bᵀ (column j of op(B) is src + j*ld).
KK_TARGET void kk_avx2_sgemm_pack_b(const float *src, int64_t ld, int trans, int64_t nc, int64_t kc, float *dst) {
    for (int64_t j = 0; j < nc; j += NR, dst += kc * NR) {
        const int64_t cols = nc - j < NR ? nc - j : NR;
        if (!trans) {
            const float *s = src + j;
            if (cols == NR) {
                for (int64_t p = 0; p < kc; p++) {
                    _mm256_storeu_ps(dst + p * NR, _mm256_loadu_ps(s + p * ld));
                    _mm256_storeu_ps(dst + p * NR + 8, _mm256_loadu_ps(s + p * ld + 8));
                }
            } else {
                for (int64_t p = 0; p < kc; p++)
                    for (int c = 0; c < NR; c++) dst[p * NR + c] = c < cols ? s[p * ld + c] : 0.0f;
            }
            continue;
        }
        const float *col[NR];
        for (int c = 0; c < NR; c++) col[c] = src + (j + (c < cols ? c : 0)) * ld;
        int64_t p = 0;
        for (; p + 8 <= kc; p += 8) {
            for (int h = 0; h < 2; h++) {   // columns 0-7, then 8-15
                __m256 r[8];
                for (int c = 0; c < 8; c++)
                    r[c] = h * 8 + c < cols ? _mm256_loadu_ps(col[h * 8 + c] + p) : _mm256_setzero_ps();
                kk_transpose8(r);
                for (int q = 0; q < 8; q++) _mm256_storeu_ps(dst + (p + q) * NR + h * 8, r[q]);
            }
        }
        for (; p < kc; p++)
            for (int c = 0; c < NR; c++) dst[p * NR + c] = c < cols ? col[c][p] : 0.0f;
    }
}

// MARK: The register tile

/// c[rows × cols] (+)= a · b over kc: a is a packed A panel [kc][6]; b has kc rows of 16 floats,
/// row p at b + p*rsb (a packed B panel when rsb = 16). Each of the 96 sums runs from zero in
/// order p = 0, 1, …, kc-1 and is then stored, or added to c when `accumulate`, so an element's
/// value does not depend on where its tile sits (edge or not).
KK_INLINE void kk_tile(int64_t kc, const float *a, const float *b, int64_t rsb,
                       float *c, int64_t ldc, int64_t rows, int64_t cols, int accumulate) {
    __m256 acc[MR][2];   // 12 accumulators; with b0, b1 and the broadcast: 15 of 16 ymm registers
    for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
    for (int64_t i = 0; i < rows; i++) {   // C is needed only at the end: fetch it meanwhile
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + cols - 1), _MM_HINT_T0);
    }
#pragma clang loop unroll_count(4)
    for (int64_t p = 0; p < kc; p++, a += MR, b += rsb) {
        const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
        for (int i = 0; i < MR; i++) {
            const __m256 ai = _mm256_broadcast_ss(a + i);
            acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
        }
    }
    if (rows == MR && cols == NR) {
        for (int i = 0; i < MR; i++) {
            float *ci = c + i * ldc;
            if (accumulate) {
                acc[i][0] = _mm256_add_ps(_mm256_loadu_ps(ci), acc[i][0]);
                acc[i][1] = _mm256_add_ps(_mm256_loadu_ps(ci + 8), acc[i][1]);
            }
            _mm256_storeu_ps(ci, acc[i][0]);
            _mm256_storeu_ps(ci + 8, acc[i][1]);
        }
        return;
    }
    float t[MR][NR];
    for (int i = 0; i < MR; i++) {
        _mm256_storeu_ps(t[i], acc[i][0]);
        _mm256_storeu_ps(t[i] + 8, acc[i][1]);
    }
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < cols; j++) c[i * ldc + j] = accumulate ? c[i * ldc + j] + t[i][j] : t[i][j];
}
/// A column of tiles: c[rows × cols] (+)= A panels [rows/6][kc][6] · b, 6 rows at a time.
KK_TARGET void kk_avx2_sgemm_tiles(int64_t kc, const float *a, int64_t rows, const float *b, int64_t rsb,
                                   float *c, int64_t ldc, int64_t cols, int accumulate) {
    for (int64_t i = 0; i < rows; i += MR)
        kk_tile(kc, a + i * kc, b, rsb, c + i * ldc, ldc, rows - i < MR ? rows - i : MR, cols, accumulate);
}
#endif
