// The x86-64 dispatch table: AVX2 (+FMA, F16C) kernels, with the 8-bit dot products on
// AVX-512 VNNI when the CPU has it (attention over a block KV cache: 512-bit vectors there).
// Activation rounding is llama.cpp's x86 variant.
#if arch(x86_64)
import CKingletKernels

extension KernelTable {
    static func x86(vnni: Bool) -> KernelTable {
        let q4_0: kk_gemm_fn = vnni ? kk_vnni_gemm_q4_0 : kk_avx2_gemm_q4_0
        let q4_1: kk_gemm_fn = vnni ? kk_vnni_gemm_q4_1 : kk_avx2_gemm_q4_1
        let q8_0: kk_gemm_fn = vnni ? kk_vnni_gemm_q8_0 : kk_avx2_gemm_q8_0
        let q5_0: kk_gemm_fn = vnni ? kk_vnni_gemm_q5_0 : kk_avx2_gemm_q5_0
        let q5_1: kk_gemm_fn = vnni ? kk_vnni_gemm_q5_1 : kk_avx2_gemm_q5_1
        let q4_K: kk_gemm_fn = vnni ? kk_vnni_gemm_q4_K : kk_avx2_gemm_q4_K
        let q6_K: kk_gemm_fn = vnni ? kk_vnni_gemm_q6_K : kk_avx2_gemm_q6_K
        let q2_K: kk_gemm_fn = vnni ? kk_vnni_gemm_q2_K : kk_avx2_gemm_q2_K
        let q3_K: kk_gemm_fn = vnni ? kk_vnni_gemm_q3_K : kk_avx2_gemm_q3_K
        let q5_K: kk_gemm_fn = vnni ? kk_vnni_gemm_q5_K : kk_avx2_gemm_q5_K
        let quantImpl = vnni ? "avx512-vnni" : "avx2"
        let overlays: [QuantType: TypeKernels] = [
            .f32: .c(.f32, "avx2", gemm: kk_avx2_gemm_f32, quantize: nil, dequantize: nil),
            .f16: .c(.f16, "avx2", gemm: kk_avx2_gemm_f16, quantize: kk_avx2_convert_f16, dequantize: kk_avx2_dequantize_f16),
            .bf16: .c(.bf16, "avx2", gemm: kk_avx2_gemm_bf16, quantize: kk_avx2_convert_bf16, dequantize: kk_avx2_dequantize_bf16),
            .q4_0: .c(.q4_0, quantImpl, gemm: q4_0, quantize: kk_avx2_quantize_q8_0, dequantize: kk_avx2_dequantize_q4_0),
            .q4_1: .c(.q4_1, quantImpl, gemm: q4_1, quantize: kk_avx2_quantize_q8_1, dequantize: kk_avx2_dequantize_q4_1),
            .q8_0: .c(.q8_0, quantImpl, gemm: q8_0, quantize: kk_avx2_quantize_q8_0, dequantize: kk_avx2_dequantize_q8_0),
            .q5_0: .c(.q5_0, quantImpl, gemm: q5_0, quantize: kk_avx2_quantize_q8_0, dequantize: nil),
            .q5_1: .c(.q5_1, quantImpl, gemm: q5_1, quantize: kk_avx2_quantize_q8_1, dequantize: nil),
            .q4_K: .c(.q4_K, quantImpl, gemm: q4_K, quantize: kk_quantize_q8_K, dequantize: nil),
            .q6_K: .c(.q6_K, quantImpl, gemm: q6_K, quantize: kk_quantize_q8_K, dequantize: nil),
            .q2_K: .c(.q2_K, quantImpl, gemm: q2_K, quantize: kk_quantize_q8_K, dequantize: nil),
            .q3_K: .c(.q3_K, quantImpl, gemm: q3_K, quantize: kk_quantize_q8_K, dequantize: nil),
            .q5_K: .c(.q5_K, quantImpl, gemm: q5_K, quantize: kk_quantize_q8_K, dequantize: nil),
        ]
        let kv: [QuantType: KVBlockKernels] = vnni ? [
            .q8_0: .c(.q8_0, "avx512-vnni", quantizeQ8: kk_avx2_quantize_q8_0, scores: kk_avx512_kv_scores_q8_0,
                      accumulate: kk_avx512_kv_accum_q8_0, rounding: .x86),
            .q4_0: .c(.q4_0, "avx512-vnni", quantizeQ8: kk_avx2_quantize_q8_0, scores: kk_avx512_kv_scores_q4_0,
                      accumulate: kk_avx512_kv_accum_q4_0, rounding: .x86),
        ] : [
            .q8_0: .c(.q8_0, "avx2", quantizeQ8: kk_avx2_quantize_q8_0, scores: kk_avx2_kv_scores_q8_0,
                      accumulate: kk_avx2_kv_accum_q8_0, rounding: .x86),
            .q4_0: .c(.q4_0, "avx2", quantizeQ8: kk_avx2_quantize_q8_0, scores: kk_avx2_kv_scores_q4_0,
                      accumulate: kk_avx2_kv_accum_q4_0, rounding: .x86),
        ]
        return KernelTable(
            name: vnni ? "avx512-vnni" : "avx2", cpuFeatures: detectedFeatureNames(), rounding: .x86, overlays: overlays,
            kvOverlays: kv)
    }
}
#endif
