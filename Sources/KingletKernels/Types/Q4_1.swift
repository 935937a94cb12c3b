// Q4_1: 32 weights per block, w = q·d + m. Partner Q8_1.
//
//   offset  bytes  field
//   0       2      f16 d
//   2       2      f16 m
//   4       16     u8 qs[16]: element j < 16 is qs[j] & 0xF, element j + 16 is qs[j] >> 4
//                                                                           20 bytes
enum Q4_1 {
    static let traits = Block32.traits(
        name: "Q4_1", blockBytes: 20, withMin: true, partner: .q8_1,
        quantizeWeights: quantize, q: q)

    /// Element j's q.
    @inline(__always)
    static func q(_ block: UnsafeRawPointer, _ j: Int) -> Int32 { Block32.nibble(block, j, qs: 4) }
}

extension Q4_1 {
    /// ggml's `quantize_row_q4_1_ref`: per block d = (max − min)/15, m = min,
    /// q = MIN(15, (int8_t)((x − min)/d + 0.5)). x: [K]; out: [K/32] blocks.
    static func quantize(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, _ k: Int) {
        forEachBlock(x, out, k, blockSize: 32, blockBytes: 20, of: "Q4_1") { xb, block in
            let (id, min) = WeightQuantizeSearch.affineHeader(xb, block, levels: 15)
            func nibble(_ v: Float) -> UInt8 {
                UInt8(truncatingIfNeeded: Swift.min(15, Int32(WeightQuantizeSearch.cInt8((v - min) * id + 0.5))))
            }
            for j in 0..<16 {
                block.storeBytes(of: nibble(xb[j]) | nibble(xb[j + 16]) << 4, toByteOffset: 4 + j, as: UInt8.self)
            }
        }
    }
}
