// The AArch64 dispatch table: NEON tile kernels, with SDOT for the 8-bit dot products when the
// CPU has the dot-product extension. Activation rounding is llama.cpp's ARM variant.
// Dequantization (embedding lookups only) uses the reference.
#if arch(arm64)
import CKingletKernels

extension KernelTable {
    static func arm(dotprod: Bool) -> KernelTable {
        let q4_0: kk_gemm_fn = dotprod ? kk_neondot_gemm_q4_0 : kk_neon_gemm_q4_0
        let q4_1: kk_gemm_fn = dotprod ? kk_neondot_gemm_q4_1 : kk_neon_gemm_q4_1
        let q8_0: kk_gemm_fn = dotprod ? kk_neondot_gemm_q8_0 : kk_neon_gemm_q8_0
        let q5_0: kk_gemm_fn = dotprod ? kk_neondot_gemm_q5_0 : kk_neon_gemm_q5_0
        let q5_1: kk_gemm_fn = dotprod ? kk_neondot_gemm_q5_1 : kk_neon_gemm_q5_1
        let q4_K: kk_gemm_fn = dotprod ? kk_neondot_gemm_q4_K : kk_neon_gemm_q4_K
        let q6_K: kk_gemm_fn = dotprod ? kk_neondot_gemm_q6_K : kk_neon_gemm_q6_K
        let q2_K: kk_gemm_fn = dotprod ? kk_neondot_gemm_q2_K : kk_neon_gemm_q2_K
        let q3_K: kk_gemm_fn = dotprod ? kk_neondot_gemm_q3_K : kk_neon_gemm_q3_K
        let q5_K: kk_gemm_fn = dotprod ? kk_neondot_gemm_q5_K : kk_neon_gemm_q5_K
        let name = dotprod ? "neon-dotprod" : "neon"
        let overlays: [QuantType: TypeKernels] = [
            .f32: .c(.f32, "neon", gemm: kk_neon_gemm_f32, quantize: nil, dequantize: nil),
            .f16: .c(.f16, "neon", gemm: kk_neon_gemm_f16, quantize: nil, dequantize: nil),
            .bf16: .c(.bf16, "neon", gemm: kk_neon_gemm_bf16, quantize: nil, dequantize: nil),
            .q4_0: .c(.q4_0, name, gemm: q4_0, quantize: kk_neon_quantize_q8_0, dequantize: nil),
            .q4_1: .c(.q4_1, name, gemm: q4_1, quantize: kk_neon_quantize_q8_1, dequantize: nil),
            .q8_0: .c(.q8_0, name, gemm: q8_0, quantize: kk_neon_quantize_q8_0, dequantize: nil),
            .q5_0: .c(.q5_0, name, gemm: q5_0, quantize: kk_neon_quantize_q8_0, dequantize: nil),
            .q5_1: .c(.q5_1, name, gemm: q5_1, quantize: kk_neon_quantize_q8_1, dequantize: nil),
            .q4_K: .c(.q4_K, name, gemm: q4_K, quantize: kk_quantize_q8_K, dequantize: nil),
            .q6_K: .c(.q6_K, name, gemm: q6_K, quantize: kk_quantize_q8_K, dequantize: nil),
            .q2_K: .c(.q2_K, name, gemm: q2_K, quantize: kk_quantize_q8_K, dequantize: nil),
            .q3_K: .c(.q3_K, name, gemm: q3_K, quantize: kk_quantize_q8_K, dequantize: nil),
            .q5_K: .c(.q5_K, name, gemm: q5_K, quantize: kk_quantize_q8_K, dequantize: nil),
        ]
        let kv: [QuantType: KVBlockKernels] = [
            .q8_0: .c(.q8_0, name, quantizeQ8: kk_neon_quantize_q8_0,
                      scores: dotprod ? kk_neondot_kv_scores_q8_0 : kk_neon_kv_scores_q8_0,
                      accumulate: kk_neon_kv_accum_q8_0, rounding: .arm),
            .q4_0: .c(.q4_0, name, quantizeQ8: kk_neon_quantize_q8_0,
                      scores: dotprod ? kk_neondot_kv_scores_q4_0 : kk_neon_kv_scores_q4_0,
                      accumulate: kk_neon_kv_accum_q4_0, rounding: .arm),
        ]
        return KernelTable(name: name, cpuFeatures: detectedFeatureNames(), rounding: .arm, overlays: overlays, kvOverlays: kv)
    }
}
#endif
