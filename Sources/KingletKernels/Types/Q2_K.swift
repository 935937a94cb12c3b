// Q2_K: super-blocks of 256 weights in 16 groups of 16, w = d·sc·q − dmin·m with 2-bit q and
// 4-bit (sc, m) per group. Partner Q8_K.
//
//   offset  bytes  field
//   0       16     u8 scales[16]: group g's sc = scales[g] & 0xF, m = scales[g] >> 4
//   16      64     u8 qs[64]: element 128·h + 32·j + l (h < 2, j < 4, l < 32) is
//                  (qs[32·h + l] >> 2j) & 3; its group is element / 16
//   80      2      f16 d
//   82      2      f16 dmin
//                                                                           84 bytes
//
// Legend: K = elements in the row (a multiple of 256).
enum Q2_K {
    static let traits = QuantTypeTraits(
        name: "Q2_K", blockSize: 256, blockBytes: blockBytes, partner: .q8_K,
        dequantize: dequantize, dot: dot, quantize: nil)

    static let blockBytes = 84

    /// The 2-bit q of element `i` (0..<256) of the super-block at `block`.
    @inline(__always)
    static func q(_ block: UnsafeRawPointer, _ i: Int) -> Int32 {
        let (h, j, l) = (i / 128, i % 128 / 32, i % 32)
        return Int32((block.byte(at: 16 + 32 * h + l) >> (2 * j)) & 3)
    }

    /// w = (d·sc)·q − (dmin·m), each product rounded to f32 (not fused), as ggml's
    /// dequantize_row_q2_K and gguf-py compute it.
    static func dequantize(_ src: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>, _ k: Int) {
        for b in 0..<k / 256 {
            let block = src + b * blockBytes, o = out + b * 256
            let d = block.half(at: 80), dmin = block.half(at: 82)
            for i in 0..<256 {
                let s = block.byte(at: i / 16)
                let dl = d * Float(s & 0xF), ml = dmin * Float(s >> 4)
                o[i] = dl * Float(q(block, i)) - ml
            }
        }
    }

    /// × Q8_K, in the order of ggml's generic vec_dot: per super-block the exact integers
    /// Σ_g sc·Σ q·x and Σ_g m·bsums[g], then (d_x·d)·isum − (d_x·dmin)·summs.
    static func dot(_ w: UnsafeRawPointer, _ x: UnsafeRawPointer, _ k: Int) -> Float {
        var sum: Float = 0
        for b in 0..<k / 256 {
            let wb = w + b * blockBytes, xb = x + b * Q8_K.blockBytes
            var isum: Int32 = 0, summs: Int32 = 0
            for g in 0..<16 {
                let s = wb.byte(at: g)
                summs += Int32(Q8_K.bsum(xb, g)) * Int32(s >> 4)
                var groupSum: Int32 = 0
                for i in 16 * g..<16 * g + 16 { groupSum += Int32(Q8_K.q(xb, i)) * q(wb, i) }
                isum += Int32(s & 0xF) * groupSum
            }
            let dx = Q8_K.d(xb)
            sum += dx * wb.half(at: 80) * Float(isum) - dx * wb.half(at: 82) * Float(summs)
        }
        return sum
    }
}
