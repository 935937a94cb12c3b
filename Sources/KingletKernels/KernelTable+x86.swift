// The x86-64 dispatch table: AVX2 (+FMA, F16C) kernels, with the 8-bit dot products on
// AVX-512 VNNI when the CPU has it. Activation rounding is llama.cpp's x86 variant.
#if arch(x86_64)
import CKingletKernels

extension KernelTable {
    static func x86(vnni: Bool) -> KernelTable {
        let q4_0: kk_gemm_fn = vnni ? kk_vnni_gemm_q4_0 : kk_avx2_gemm_q4_0
        let q4_1: kk_gemm_fn = vnni ? kk_vnni_gemm_q4_1 : kk_avx2_gemm_q4_1
        let q8_0: kk_gemm_fn = vnni ? kk_vnni_gemm_q8_0 : kk_avx2_gemm_q8_0
        let quantImpl = vnni ? "avx512-vnni" : "avx2"
        let entries: [QuantType: TypeKernels] = [
            .f32: .c(.f32, "avx2", gemm: kk_avx2_gemm_f32, quantize: nil, dequantize: nil),
            .f16: .c(.f16, "avx2", gemm: kk_avx2_gemm_f16, quantize: kk_avx2_convert_f16, dequantize: kk_avx2_dequantize_f16),
            .bf16: .c(.bf16, "avx2", gemm: kk_avx2_gemm_bf16, quantize: kk_avx2_convert_bf16, dequantize: kk_avx2_dequantize_bf16),
            .q4_0: .c(.q4_0, quantImpl, gemm: q4_0, quantize: kk_avx2_quantize_q8_0, dequantize: kk_avx2_dequantize_q4_0),
            .q4_1: .c(.q4_1, quantImpl, gemm: q4_1, quantize: kk_avx2_quantize_q8_1, dequantize: kk_avx2_dequantize_q4_1),
            .q8_0: .c(.q8_0, quantImpl, gemm: q8_0, quantize: kk_avx2_quantize_q8_0, dequantize: kk_avx2_dequantize_q8_0),
        ]
        return KernelTable(
            name: vnni ? "avx512-vnni" : "avx2", cpuFeatures: detectedFeatureNames(), rounding: .x86, entries: entries)
    }
}
#endif

extension TypeKernels {
    /// An entry backed by C kernels; a nil `quantize` means the partner is F32 (no conversion),
    /// a nil `dequantize` that the plain copy/reference is used.
    static func c(
        _ type: QuantType, _ implementation: String, gemm: kk_gemm_fn,
        quantize: kk_quantize_fn?, dequantize: kk_dequantize_fn?
    ) -> TypeKernels {
        let partner = KernelTable.partner(of: type)
        return TypeKernels(
            partner: partner,
            implementation: implementation,
            dequantizeRow: { src, out, k in
                if let dequantize { dequantize(src, out, Int64(k)) }
                else { ReferenceKernels.dequantizeRow(type, src, into: out, count: k) }
            },
            quantizeRow: { x, out, k in
                if let quantize { quantize(x, out, Int64(k)) }
                else { ReferenceKernels.quantizeRow(x, to: partner, out, count: k) }
            },
            gemm: { w, rows, x, xRowBytes, n, out in
                var args = kk_gemm_args(
                    w: w.data, w_row_bytes: w.rowBytes, x: x, x_row_bytes: xRowBytes, out: out,
                    out_stride: Int64(w.rows), k: Int64(w.cols), n: Int64(n),
                    r0: Int64(rows.lowerBound), r1: Int64(rows.upperBound))
                gemm(&args)
            }
        )
    }
}
