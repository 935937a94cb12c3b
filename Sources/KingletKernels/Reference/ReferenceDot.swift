// Reference dot products of one weight row with one activation row.
//
// `dot` is the block reference (each type's in its Types/ file): the activation is already in the
// weight type's partner layout (see ReferenceQuantize.swift), and quantized blocks are multiplied
// as integers and scaled once per block, in the order ggml's generic `vec_dot` does. The fast
// kernels must match it to float rounding (the integer part is exact; only the order of the
// per-block float sums differs).
//
// `dotDequantized` is the plain f32 reference: dequantize the weight row and multiply with the
// unquantized activation. It differs from `dot` by the activation's quantization error.
//
// Legend: K = elements in the row.

extension ReferenceKernels {
    /// Σ_c W[c] · X[c] for one row of `type` (K elements) and one activation row in the partner
    /// layout of `type` (`KernelTable.partner(of:)`).
    public static func dot(_ type: QuantType, _ w: UnsafeRawPointer, _ x: UnsafeRawPointer, count: Int) -> Float {
        let traits = type.traits
        guard let dot = traits.dot else { preconditionFailure("\(type) is an activation type only") }
        precondition(count % traits.blockSize == 0, "\(count) elements are not whole \(type) blocks")
        return dot(w, x, count)
    }

    /// Σ_c dequant(W)[c] · x[c] in f32, with the activation left unquantized.
    public static func dotDequantized(_ type: QuantType, _ w: UnsafeRawPointer, _ x: UnsafePointer<Float>, count: Int) -> Float {
        let row = UnsafeMutablePointer<Float>.allocate(capacity: count)  // [K]
        defer { row.deallocate() }
        dequantizeRow(type, w, into: row, count: count)
        var sum: Float = 0
        for i in 0..<count { sum += row[i] * x[i] }
        return sum
    }

    /// out[t, r] = dot(W[r], X[t]) for r in `rows`, t in 0..<n: the reference tile kernel.
    /// `x` holds n activation rows of `xRowBytes` bytes in the partner layout; out is [n, w.rows].
    public static func gemm(
        _ w: WeightMatrix, rows: Range<Int>, _ x: UnsafeRawPointer, xRowBytes: Int, n: Int,
        _ out: UnsafeMutablePointer<Float>
    ) {
        let traits = w.type.traits
        guard let dot = traits.dot else { preconditionFailure("\(w.type) is an activation type only") }
        precondition(w.cols % traits.blockSize == 0, "\(w.cols) elements are not whole \(w.type) blocks")
        for t in 0..<n {
            let xt = x + t * xRowBytes
            for r in rows { out[t * w.rows + r] = dot(w.row(r), xt, w.cols) }
        }
    }
}
