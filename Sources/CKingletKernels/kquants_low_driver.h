// (No include guard: a template, included by x86_kquants_low_tile.h and arm_kquants_low_tile.h
// after their KK_NAME(kq_tile).)
#include "tile_walk.h"

/// Rows [r0, r1) × all n tokens: 16-row blocks, each passed over by groups of 4 tokens, so a
/// super-block is unpacked once per 4 tokens and the rows stay in cache for every group.
static inline __attribute__((always_inline)) KK_TARGET
void KK_NAME(kq_gemm)(const int kind, const kk_gemm_args *a) {
    const int64_t nsb = a->k / KK_QK, n = a->n;
    const uint8_t *x = (const uint8_t *)a->x, *w = (const uint8_t *)a->w;
#define KK_TILE(RT, TT, r, t) \
    KK_NAME(kq_tile)(kind, TT, w + (r) * a->w_row_bytes, x + (t) * a->x_row_bytes, a->x_row_bytes, nsb, \
                     a->out + (t) * a->out_stride + (r), a->out_stride)
    KK_TILE_WALK(KK_TILE, a->r0, a->r1, n, 1, 1);
#undef KK_TILE
}

KK_TARGET void KK_NAME(gemm_q2_K)(const kk_gemm_args *a) { KK_NAME(kq_gemm)(KK_Q2_K, a); }
KK_TARGET void KK_NAME(gemm_q3_K)(const kk_gemm_args *a) { KK_NAME(kq_gemm)(KK_Q3_K, a); }
KK_TARGET void KK_NAME(gemm_q5_K)(const kk_gemm_args *a) { KK_NAME(kq_gemm)(KK_Q5_K, a); }
