// Q5_1: 32 weights per block, w = q·d + m with 5-bit q (as Q5_0, no offset). Partner Q8_1.
//
//   offset  bytes  field
//   0       2      f16 d
//   2       2      f16 m
//   4       4      u8 qh[4]: bit j of the little-endian u32 is bit 4 of element j
//   8       16     u8 qs[16]: element j < 16 is qs[j] & 0xF, element j + 16 is qs[j] >> 4
//                                                                           24 bytes
enum Q5_1 {
    static let traits = Block32.traits(
        name: "Q5_1", blockBytes: 24, withMin: true, partner: .q8_1,
        quantizeWeights: quantize, q: q)

    /// Element j's q.
    @inline(__always)
    static func q(_ block: UnsafeRawPointer, _ j: Int) -> Int32 { Q5_0.q5(block, j, qhOffset: 4) }
}

extension Q5_1 {
    /// ggml's `quantize_row_q5_1_ref`: d = (max − min)/31, m = min, q = (uint8_t)((x − min)/d + 0.5)
    /// with no clamp (a value rounding to 32 keeps its low five bits, 0, as ggml's does).
    /// x: [K]; out: [K/32] blocks.
    static func quantize(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, _ k: Int) {
        forEachBlock(x, out, k, blockSize: 32, blockBytes: 24, of: "Q5_1") { xb, block in
            let (id, min) = WeightQuantizeSearch.affineHeader(xb, block, levels: 31)
            Q5_0.storeFiveBit(block, qhOffset: 4) { j in WeightQuantizeSearch.cUInt8((xb[j] - min) * id + 0.5) }
        }
    }
}
