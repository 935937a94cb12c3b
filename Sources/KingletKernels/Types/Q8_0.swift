// Q8_0: 32 values per block, v = q·d. A weight type (partner itself) and the activation partner
// of Q4_0, Q5_0 and Q8_0 weights.
//
//   offset  bytes  field
//   0       2      f16 d
//   2       32     i8 qs[32]
//                                                                           34 bytes
enum Q8_0 {
    static let traits = QuantTypeTraits(
        name: "Q8_0", blockSize: 32, blockBytes: 34, partner: .q8_0,
        dequantize: { src, out, k in dequantize8(src, out, k, blockBytes: 34, qsOffset: 2) },
        dot: dot,
        quantize: { x, out, k, rounding in quantize8(x, out, k, rounding: rounding, withSum: false) },
        quantizeWeights: { x, out, k in quantize8(x, out, k, rounding: .portable, withSum: false) })

    static func dot(_ w: UnsafeRawPointer, _ x: UnsafeRawPointer, _ k: Int) -> Float {
        var sum: Float = 0
        for b in 0..<k / 32 {
            let wb = w + b * 34, xb = x + b * 34
            var isum: Int32 = 0
            for j in 0..<32 { isum += Int32(wb.int8(at: 2 + j)) * Int32(xb.int8(at: 2 + j)) }
            sum += Float(isum) * (wb.half(at: 0) * xb.half(at: 0))
        }
        return sum
    }

    /// v = q·d for 8-bit blocks whose f16 d is at byte 0 (Q8_0, Q8_1).
    static func dequantize8(
        _ src: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>, _ k: Int, blockBytes: Int, qsOffset: Int
    ) {
        for b in 0..<k / 32 {
            let block = src + b * blockBytes
            let d = block.half(at: 0)
            for j in 0..<32 { out[b * 32 + j] = Float(block.int8(at: qsOffset + j)) * d }
        }
    }

    /// llama.cpp's `quantize_row_q8_0` / `q8_1` with `rounding`: per block d = amax/127 (stored as
    /// f16), q = round(x · multiplier); with `withSum` (Q8_1) also s = f16(d · Σq) from the f32 d.
    /// `.portable` without the sum is `quantize_row_q8_0_ref`, the weight quantizer.
    static func quantize8(
        _ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, _ k: Int, rounding: ActivationRounding, withSum: Bool
    ) {
        precondition(k % 32 == 0, "\(k) elements are not whole blocks")
        let stride = withSum ? 36 : 34, qsOffset = withSum ? 4 : 2
        for b in 0..<k / 32 {
            let block = out + b * stride
            let (d, multiplier) = ReferenceKernels.q8Scale(x + b * 32, rounding: rounding)
            block.storeBytes(of: floatToHalf(d), as: UInt16.self)
            var sum: Int32 = 0
            for j in 0..<32 {
                let v = x[b * 32 + j] * multiplier
                let q = WeightQuantizeSearch.cInt8(rounding == .portable ? v.rounded(.toNearestOrAwayFromZero) : v.rounded(.toNearestOrEven))
                block.storeBytes(of: q, toByteOffset: qsOffset + j, as: Int8.self)
                sum += Int32(q)
            }
            if withSum { block.storeBytes(of: floatToHalf(d * Float(sum)), toByteOffset: 2, as: UInt16.self) }
        }
    }
}
