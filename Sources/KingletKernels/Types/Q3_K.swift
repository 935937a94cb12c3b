// Q3_K: super-blocks of 256 weights in 16 groups of 16, w = d·(sc − 32)·(q − 4) with 3-bit q and
// 6-bit sc per group. Partner Q8_K.
//
//   offset  bytes  field
//   0       32     u8 hmask[32]: bit 2 of q for element 128·h + 32·j + l is (hmask[l] >> (4·h + j)) & 1
//   32      64     u8 qs[64]: bits 0-1 of q, (qs[32·h + l] >> 2j) & 3 (as Q2_K)
//   96      12     u8 scales[12]: sc of group g < 8 has its low 4 bits in scales[g] & 0xF, of
//                  g ≥ 8 in scales[g − 8] >> 4; its high 2 bits are (scales[8 + g % 4] >> 2·(g / 4)) & 3
//   108     2      f16 d
//                                                                          110 bytes
// (ggml writes q − 4 as "low bits − 4 where the hmask bit is clear".)
//
// Legend: K = elements in the row (a multiple of 256).
enum Q3_K {
    static let traits = QuantTypeTraits(
        name: "Q3_K", blockSize: 256, blockBytes: blockBytes, partner: .q8_K,
        dequantize: dequantize, dot: dot, quantize: nil)

    static let blockBytes = 110

    /// q − 4 (−4…3) of element `i` (0..<256) of the super-block at `block`.
    @inline(__always)
    static func q(_ block: UnsafeRawPointer, _ i: Int) -> Int32 {
        let (h, j, l) = (i / 128, i % 128 / 32, i % 32)
        let low = (block.byte(at: 32 + 32 * h + l) >> (2 * j)) & 3
        let high = (block.byte(at: l) >> (4 * h + j)) & 1
        return Int32(low | high << 2) - 4
    }

    /// sc − 32 (−32…31) of group `g` (0..<16).
    @inline(__always)
    static func scale(_ block: UnsafeRawPointer, _ g: Int) -> Int32 {
        let low = g < 8 ? block.byte(at: 96 + g) & 0xF : block.byte(at: 96 + g - 8) >> 4
        let high = (block.byte(at: 104 + g % 4) >> (2 * (g / 4))) & 3
        return Int32(low | high << 4) - 32
    }

    /// w = (d·(sc − 32))·(q − 4), as ggml's dequantize_row_q3_K and gguf-py compute it.
    static func dequantize(_ src: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>, _ k: Int) {
        for b in 0..<k / 256 {
            let block = src + b * blockBytes, o = out + b * 256
            let d = block.half(at: 108)
            for i in 0..<256 { o[i] = d * Float(scale(block, i / 16)) * Float(q(block, i)) }
        }
    }

    /// × Q8_K, in the order of ggml's generic vec_dot: exact integer sums in 8 lanes (lane =
    /// element % 8), each lane scaled by the f32 d_w·d_x and summed in its own f32 lane across
    /// super-blocks; the 8 lanes are added at the end.
    static func dot(_ w: UnsafeRawPointer, _ x: UnsafeRawPointer, _ k: Int) -> Float {
        var lanes = [Float](repeating: 0, count: 8)
        for b in 0..<k / 256 {
            let wb = w + b * blockBytes, xb = x + b * Q8_K.blockBytes
            var isums = [Int32](repeating: 0, count: 8)
            for i in 0..<256 { isums[i % 8] += scale(wb, i / 16) * q(wb, i) * Int32(Q8_K.q(xb, i)) }
            let d = wb.half(at: 108) * Q8_K.d(xb)
            for l in 0..<8 { lanes[l] += d * Float(isums[l]) }
        }
        var sum: Float = 0
        for l in 0..<8 { sum += lanes[l] }
        return sum
    }
}
