// The softmax of attention scores, in plain C on every ISA (the loop Swift ran was a tenth of a
// prompt's time with a quantized KV cache; here it costs what the F16 kernel's own loop does).
#include <math.h>
#include "CKingletKernels.h"

/// scores[i] ← exp(s_i − max s) with s_i = scores[i]·scale, soft-capped to cap·tanh(s_i / cap)
/// when softcap > 0; returns 1 / Σ exp (summed in double, as ggml). scores: [n].
float kk_softmax_numerators(float *scores, int64_t n, float scale, float softcap) {
    float mx = -INFINITY;
    if (softcap > 0) {
        const float inv_cap = 1 / softcap;
        for (int64_t i = 0; i < n; i++) scores[i] = softcap * tanhf(scores[i] * scale * inv_cap);
    } else {
        for (int64_t i = 0; i < n; i++) scores[i] *= scale;
    }
    for (int64_t i = 0; i < n; i++) mx = scores[i] > mx ? scores[i] : mx;
    double sum = 0;
    for (int64_t i = 0; i < n; i++) {
        const float e = expf(scores[i] - mx);
        scores[i] = e;
        sum += (double)e;
    }
    return (float)(1.0 / sum);
}
