// Q4_0: 32 weights per block, w = (q − 8)·d. Partner Q8_0. Also a KV cache type (`quantize`
// stores a key or value row as llama.cpp's `quantize_row_q4_0_ref` does).
//
//   offset  bytes  field
//   0       2      f16 d
//   2       16     u8 qs[16]: element j < 16 is qs[j] & 0xF, element j + 16 is qs[j] >> 4
//                                                                           18 bytes
enum Q4_0 {
    static let traits = Block32.traits(
        name: "Q4_0", blockBytes: 18, withMin: false, partner: .q8_0,
        quantize: { x, out, k, _ in quantize(x, out, k) }, quantizeWeights: quantize, q: q)

    /// Element j's q − 8.
    @inline(__always)
    static func q(_ block: UnsafeRawPointer, _ j: Int) -> Int32 { Block32.nibble(block, j, qs: 2) - 8 }

    /// llama.cpp's `quantize_row_q4_0_ref` (one rounding on every ISA): per block the element of
    /// largest magnitude m gives d = m / −8, q = min(15, trunc(x/d + 8.5)). x: [K]; out: [K/32] blocks.
    static func quantize(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, _ k: Int) {
        forEachBlock(x, out, k, blockSize: 32, blockBytes: 18, of: "Q4_0") { xb, block in
            let (d, id) = WeightQuantizeSearch.symmetricScale(xb, levels: 8)
            block.storeBytes(of: floatToHalf(d), as: UInt16.self)
            func nibble(_ v: Float) -> UInt8 {  // MIN(15, (int8_t)(x·id + 8.5)), as C converts
                UInt8(truncatingIfNeeded: min(15, Int32(WeightQuantizeSearch.cInt8(v * id + 8.5))))
            }
            for j in 0..<16 {
                block.storeBytes(of: nibble(xb[j]) | nibble(xb[j + 16]) << 4, toByteOffset: 2 + j, as: UInt8.self)
            }
        }
    }
}
