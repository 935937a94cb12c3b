// The Q8_K activation quantizer (ggml's quantize_row_q8_K_ref, which its x86 and ARM builds both
// use), in plain C for every ISA: per 256 values max = the first x of largest |x|,
// iscale = −127/max, q = min(127, rint(iscale·x)) (ties to even), bsums of each 16 q, d = 1/iscale.
// Bit-identical to Types/Q8_K.swift.
#include <math.h>
#include <string.h>
#include "CKingletKernels.h"

void kk_quantize_q8_K(const float *x, void *out, int64_t k) {
    uint8_t *y = (uint8_t *)out;
    for (int64_t b = 0; b < k / 256; b++, x += 256, y += 292) {
        float amax = 0, max = 0;
        for (int j = 0; j < 256; j++) {
            const float ax = fabsf(x[j]);
            if (ax > amax) { amax = ax; max = x[j]; }
        }
        if (amax == 0) { memset(y, 0, 292); continue; }
        const float iscale = -127.f / max;
        int8_t *qs = (int8_t *)(y + 4);
        for (int j = 0; j < 256; j++) {
            const int v = (int)rintf(iscale * x[j]);
            qs[j] = (int8_t)(v < 127 ? v : 127);
        }
        for (int g = 0; g < 16; g++) {
            int16_t sum = 0;
            for (int j = 0; j < 16; j++) sum += qs[16 * g + j];
            memcpy(y + 260 + 2 * g, &sum, 2);
        }
        const float d = 1 / iscale;
        memcpy(y, &d, 4);
    }
}
