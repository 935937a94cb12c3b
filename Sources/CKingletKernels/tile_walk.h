// The order in which every tiled matrix product visits its output (one walk for all the tile
// templates: float, 4/8-bit, K-quant; x86 and ARM). Macros only, hence the include guard.
#ifndef KK_TILE_WALK_H
#define KK_TILE_WALK_H

/// TILE(RT, 1…4, r, t) for a group of tt (1–4) tokens: the tile sizes stay compile-time constants.
#define KK_TILE_TT(TILE, RT, tt, r, t) \
    switch (tt) {                      \
    case 4: TILE(RT, 4, r, t); break;  \
    case 3: TILE(RT, 3, r, t); break;  \
    case 2: TILE(RT, 2, r, t); break;  \
    default: TILE(RT, 1, r, t); break; \
    }

/// Output rows [R0, R1) × N tokens through TILE(RT, TT, r, t), the tile of RT rows from r and TT
/// tokens from t. One token (a matrix–vector product): RT1 rows at a time, then single rows. More:
/// 16-row blocks, each passed over by groups of 4 tokens in tiles of RTN rows and then single rows,
/// so a block's rows stay in L1/L2 while every token group passes over them.
#define KK_TILE_WALK(TILE, R0, R1, N, RT1, RTN)                                                  \
    do {                                                                                         \
        const int64_t kk_r0 = (R0), kk_r1 = (R1), kk_n = (N);                                    \
        if (kk_n == 1) {                                                                         \
            int64_t r = kk_r0;                                                                   \
            for (; r + (RT1) <= kk_r1; r += (RT1)) TILE(RT1, 1, r, 0);                           \
            for (; r < kk_r1; r++) TILE(1, 1, r, 0);                                             \
        } else {                                                                                 \
            for (int64_t rb = kk_r0; rb < kk_r1; rb += 16) {                                     \
                const int64_t re = rb + 16 < kk_r1 ? rb + 16 : kk_r1;                            \
                for (int64_t t = 0; t < kk_n; t += 4) {                                          \
                    const int64_t tt = kk_n - t < 4 ? kk_n - t : 4;                              \
                    int64_t r = rb;                                                              \
                    for (; r + (RTN) <= re; r += (RTN)) KK_TILE_TT(TILE, RTN, tt, r, t)          \
                    for (; r < re; r++) KK_TILE_TT(TILE, 1, tt, r, t)                            \
                }                                                                                \
            }                                                                                    \
        }                                                                                        \
    } while (0)

#endif
