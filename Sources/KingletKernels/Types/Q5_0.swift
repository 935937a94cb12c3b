// Q5_0: 32 weights per block, w = (q − 16)·d with 5-bit q: four low bits in a nibble, the fifth
// in qh. Partner Q8_0.
//
//   offset  bytes  field
//   0       2      f16 d
//   2       4      u8 qh[4]: bit j of the little-endian u32 is bit 4 of element j
//   6       16     u8 qs[16]: element j < 16 is qs[j] & 0xF, element j + 16 is qs[j] >> 4
//                                                                           22 bytes
enum Q5_0 {
    static let traits = Block32.traits(
        name: "Q5_0", blockBytes: 22, withMin: false, partner: .q8_0,
        quantizeWeights: quantize, q: q)

    /// Element j's q − 16.
    @inline(__always)
    static func q(_ block: UnsafeRawPointer, _ j: Int) -> Int32 { q5(block, j, qhOffset: 2) - 16 }

    /// The 5-bit q (0…31) of element j of the block at `block`, whose qh is at `qhOffset`.
    @inline(__always)
    static func q5(_ block: UnsafeRawPointer, _ j: Int, qhOffset: Int) -> Int32 {
        let qh = block.loadUnaligned(fromByteOffset: qhOffset, as: UInt32.self)
        return Block32.nibble(block, j, qs: qhOffset + 4) | Int32((qh >> UInt32(j)) & 1) << 4
    }
}

extension Q5_0 {
    /// ggml's `quantize_row_q5_0_ref`: per block the element of largest magnitude m gives
    /// d = m / −16, q = MIN(31, (int8_t)(x/d + 16.5)). x: [K]; out: [K/32] blocks.
    static func quantize(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, _ k: Int) {
        forEachBlock(x, out, k, blockSize: 32, blockBytes: 22, of: "Q5_0") { xb, block in
            let (d, id) = WeightQuantizeSearch.symmetricScale(xb, levels: 16)
            block.storeBytes(of: floatToHalf(d), as: UInt16.self)
            storeFiveBit(block, qhOffset: 2) { j in
                UInt8(truncatingIfNeeded: min(31, Int32(WeightQuantizeSearch.cInt8(xb[j] * id + 16.5))))
            }
        }
    }

    /// Packs 32 five-bit levels q(j): low nibbles into qs (element j and j + 16 share byte j),
    /// bit 4 of element j into bit j of the little-endian u32 qh at `qhOffset`.
    @inline(__always)
    static func storeFiveBit(_ block: UnsafeMutableRawPointer, qhOffset: Int, _ q: (Int) -> UInt8) {
        var qh: UInt32 = 0
        for j in 0..<16 {
            let lo = q(j), hi = q(j + 16)
            block.storeBytes(of: lo & 0xF | (hi & 0xF) << 4, toByteOffset: qhOffset + 4 + j, as: UInt8.self)
            qh |= (UInt32(lo & 0x10) >> 4) << UInt32(j)
            qh |= (UInt32(hi & 0x10) >> 4) << UInt32(j + 16)
        }
        block.storeBytes(of: qh.littleEndian, toByteOffset: qhOffset, as: UInt32.self)
    }
}
