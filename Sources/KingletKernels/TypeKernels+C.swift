// Dispatch-table entries backed by C kernels (any architecture).
import CKingletKernels

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
