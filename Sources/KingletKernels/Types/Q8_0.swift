// Q8_0: 32 values per block, v = q·d. A weight type (partner itself) and the activation partner
// of Q4_0, Q5_0 and Q8_0 weights.
//
//   offset  bytes  field
//   0       2      f16 d
//   2       32     i8 qs[32]
//                                                                           34 bytes
enum Q8_0 {
    static let traits = Block32.traits(
        name: "Q8_0", blockBytes: 34, withMin: false, partner: .q8_0,
        quantize: { x, out, k, rounding in quantize8(x, out, k, rounding: rounding, withSum: false) },
        quantizeWeights: { x, out, k in quantize8(x, out, k, rounding: .portable, withSum: false) }, q: q)

    /// Element j's q.
    @inline(__always)
    static func q(_ block: UnsafeRawPointer, _ j: Int) -> Int32 { Int32(block.int8(at: 2 + j)) }

    /// llama.cpp's `quantize_row_q8_0` / `q8_1` with `rounding`: per block d = amax/127 (stored as
    /// f16), q = round(x · multiplier); with `withSum` (Q8_1) also s = f16(d · Σq) from the f32 d.
    /// `.portable` without the sum is `quantize_row_q8_0_ref`, the weight quantizer.
    static func quantize8(
        _ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, _ k: Int, rounding: ActivationRounding, withSum: Bool
    ) {
        let qsOffset = withSum ? 4 : 2
        forEachBlock(x, out, k, blockSize: 32, blockBytes: withSum ? 36 : 34, of: withSum ? "Q8_1" : "Q8_0") { xb, block in
            let (d, multiplier) = ReferenceKernels.q8Scale(xb, rounding: rounding)
            block.storeBytes(of: floatToHalf(d), as: UInt16.self)
            var sum: Int32 = 0
            for j in 0..<32 {
                let v = xb[j] * multiplier
                let q = WeightQuantizeSearch.cInt8(rounding == .portable ? v.rounded(.toNearestOrAwayFromZero) : v.rounded(.toNearestOrEven))
                block.storeBytes(of: q, toByteOffset: qsOffset + j, as: Int8.self)
                sum += Int32(q)
            }
            if withSum { block.storeBytes(of: floatToHalf(d * Float(sum)), toByteOffset: 2, as: UInt16.self) }
        }
    }
}
