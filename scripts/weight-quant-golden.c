// Golden bytes for Kinglet's weight quantizers, made by ggml's own reference quantizers
// (quantize_row_*_ref, from llama.cpp's ggml-base library, as llama-quantize runs them).
// Built and run by scripts/make-quantize-fixtures.sh; writes to stdout:
//   "KWQG", u32 version (1), u32 element count K (a multiple of 256), f32 inputs [K],
//   then for each type in TYPES: u32 ggml type id, u32 byte count, the encoding.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ggml.h"
#include "ggml-quants.h"

#define K (256 * 14)

static uint64_t state = 1234;
static float uniform(void) {  // [0, 1)
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (float)(state >> 40) / (float)(1 << 24);
}
static float gaussian(void) {
    float u = uniform() + 1e-7f, v = uniform();
    return sqrtf(-2 * logf(u)) * cosf(6.2831853f * v);
}

static void put32(uint32_t v) { fwrite(&v, 4, 1, stdout); }

int main(void) {
    static float x[K];
    for (int b = 0; b < K / 256; b++) {
        float * s = x + 256 * b;
        for (int i = 0; i < 256; i++) {
            switch (b) {
                case 0: s[i] = 0; break;                                      // all zero
                case 1: s[i] = gaussian() * 0.02f; break;                     // a typical weight row
                case 2: s[i] = gaussian() * 1e-5f; break;                     // f16-subnormal scales
                case 3: s[i] = gaussian() * 1e4f; break;                      // large values
                case 4: s[i] = (i % 97 == 0) ? 3.0f : gaussian() * 0.01f; break;  // outliers
                case 5: s[i] = 0.5f + uniform(); break;                       // all positive (min > 0)
                case 6: s[i] = -0.5f - uniform(); break;                      // all negative
                case 7: s[i] = 0.125f; break;                                 // constant
                case 8: s[i] = i == 77 ? -1.0f : 0; break;                    // one non-zero value
                case 9: s[i] = (i % 32 < 16) ? 0 : gaussian(); break;          // zero half-groups
                case 10: s[i] = gaussian() * 1e-17f; break;                   // below GROUP_MAX_EPS
                case 11: s[i] = (float)((int)(i % 17) - 8) * 0.5f; break;      // exact ties
                case 12: s[i] = (i < 128 ? 1 : -1) * (1 + uniform()); break;  // sign split
                default: s[i] = gaussian() * (1 + (i % 32)); break;           // per-group scales differ
            }
        }
    }
    static uint8_t out[K * 4];
    fwrite("KWQG", 1, 4, stdout);
    put32(1);
    put32(K);
    fwrite(x, 4, K, stdout);
    const enum ggml_type types[] = {
        GGML_TYPE_Q4_0, GGML_TYPE_Q4_1, GGML_TYPE_Q5_0, GGML_TYPE_Q5_1, GGML_TYPE_Q8_0,
        GGML_TYPE_Q2_K, GGML_TYPE_Q3_K, GGML_TYPE_Q4_K, GGML_TYPE_Q5_K, GGML_TYPE_Q6_K,
    };
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        size_t n = ggml_quantize_chunk(types[t], x, out, 0, 1, K, NULL);
        put32((uint32_t)types[t]);
        put32((uint32_t)n);
        fwrite(out, 1, n, stdout);
    }
    return 0;
}
