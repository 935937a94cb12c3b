// Reference dot products of one weight row with one activation row.
//
// `dot` is the block reference: the activation is already in the weight type's partner layout
// (see ReferenceQuantize.swift), and quantized blocks are multiplied as integers and scaled once
// per block, in the order ggml's generic `vec_dot` does. The fast kernels must match it to float
// rounding (the integer part is exact; only the order of the per-block float sums differs).
//
// `dotDequantized` is the plain f32 reference: dequantize the weight row and multiply with the
// unquantized activation. It differs from `dot` by the activation's quantization error.
//
// Legend: K = elements in the row.

extension ReferenceKernels {
    /// Σ_c W[c] · X[c] for one row of `type` (K elements) and one activation row in the partner
    /// layout of `type` (`KernelTable.partner(of:)`).
    public static func dot(_ type: QuantType, _ w: UnsafeRawPointer, _ x: UnsafeRawPointer, count: Int) -> Float {
        switch type {
        case .f32:
            let a = w.assumingMemoryBound(to: Float.self), b = x.assumingMemoryBound(to: Float.self)
            var sum: Float = 0
            for i in 0..<count { sum += a[i] * b[i] }
            return sum
        case .f16, .bf16:
            let isHalf = type == .f16
            func convert(_ bits: UInt16) -> Float { isHalf ? halfToFloat(bits) : bf16ToFloat(bits) }
            var sum: Float = 0
            for i in 0..<count {
                sum += convert(w.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                    * convert(x.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
            }
            return sum
        case .q4_0:   // × Q8_0
            var sum: Float = 0
            for b in 0..<count / 32 {
                let wb = w + b * 18, xb = x + b * 34
                var isum: Int32 = 0
                for j in 0..<16 {
                    let q = wb.load(fromByteOffset: 2 + j, as: UInt8.self)
                    isum += (Int32(q & 0xF) - 8) * Int32(xb.load(fromByteOffset: 2 + j, as: Int8.self))
                    isum += (Int32(q >> 4) - 8) * Int32(xb.load(fromByteOffset: 18 + j, as: Int8.self))
                }
                sum += Float(isum) * (blockScale(wb) * blockScale(xb))
            }
            return sum
        case .q4_1:   // × Q8_1
            var sum: Float = 0
            for b in 0..<count / 32 {
                let wb = w + b * 20, xb = x + b * 36
                var isum: Int32 = 0
                for j in 0..<16 {
                    let q = wb.load(fromByteOffset: 4 + j, as: UInt8.self)
                    isum += Int32(q & 0xF) * Int32(xb.load(fromByteOffset: 4 + j, as: Int8.self))
                    isum += Int32(q >> 4) * Int32(xb.load(fromByteOffset: 20 + j, as: Int8.self))
                }
                // Σ (q·d_w + m_w) · q_x·d_x = d_w·d_x·Σ q·q_x + m_w · (d_x·Σ q_x) = … + m_w · s_x
                sum += (blockScale(wb) * blockScale(xb)) * Float(isum) + blockScale(wb, at: 2) * blockScale(xb, at: 2)
            }
            return sum
        case .q8_0:   // × Q8_0
            var sum: Float = 0
            for b in 0..<count / 32 {
                let wb = w + b * 34, xb = x + b * 34
                var isum: Int32 = 0
                for j in 0..<32 {
                    isum += Int32(wb.load(fromByteOffset: 2 + j, as: Int8.self)) * Int32(xb.load(fromByteOffset: 2 + j, as: Int8.self))
                }
                sum += Float(isum) * (blockScale(wb) * blockScale(xb))
            }
            return sum
        case .q8_1:
            preconditionFailure("Q8_1 is an activation type only")
        }
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

    /// The f16 field at byte `offset` of a block, as Float.
    @inline(__always)
    static func blockScale(_ block: UnsafeRawPointer, at offset: Int = 0) -> Float {
        halfToFloat(block.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    /// out[t, r] = dot(W[r], X[t]) for r in `rows`, t in 0..<n: the reference tile kernel.
    /// `x` holds n activation rows of `xRowBytes` bytes in the partner layout; out is [n, w.rows].
    public static func gemm(
        _ w: WeightMatrix, rows: Range<Int>, _ x: UnsafeRawPointer, xRowBytes: Int, n: Int,
        _ out: UnsafeMutablePointer<Float>
    ) {
        for t in 0..<n {
            let xt = x + t * xRowBytes
            for r in rows { out[t * w.rows + r] = dot(w.type, w.row(r), xt, count: w.cols) }
        }
    }
}
