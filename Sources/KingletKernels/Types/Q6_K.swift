// Q6_K: super-blocks of 256 weights in 16 sub-blocks of 16; w = d·sc·(q − 32) with 6-bit q and
// a signed 8-bit scale per sub-block. Partner Q8_K. Rows must be whole super-blocks.
//
//   offset  bytes  field
//   0       128    ql: low 4 bits. 128-element half h uses ql[64h ..< 64h + 64]: elements
//                  l, l + 32 are the low nibbles of ql[l], ql[l + 32]; l + 64, l + 96 the high
//   128     64     qh: high 2 bits. Half h uses qh[32h ..< 32h + 32]: bits 0-1, 2-3, 4-5, 6-7 of
//                  qh[l] belong to elements l, l + 32, l + 64, l + 96 (l < 32)
//   192     16     i8 scales[16]: element e uses scales[e / 16]
//   208     2      f16 d
//                                                                          210 bytes
enum Q6_K {
    static let traits = QuantTypeTraits(
        name: "Q6_K", blockSize: 256, blockBytes: 210, partner: .q8_K,
        dequantize: dequantize, dot: dot, quantize: nil)

    /// q − 32 (−32…31) of element e (0…255) of the super-block at `block`.
    @inline(__always)
    static func q6(_ block: UnsafeRawPointer, _ e: Int) -> Int32 {
        let h = e / 128, quarter = (e % 128) / 32, l = e % 32
        let ql = block.byte(at: 64 * h + l + (quarter & 1) * 32)
        let low = quarter < 2 ? ql & 0xF : ql >> 4
        let high = (block.byte(at: 128 + 32 * h + l) >> UInt8(2 * quarter)) & 3
        return Int32(low | high << 4) - 32
    }

    @inline(__always)
    static func scale(_ block: UnsafeRawPointer, _ e: Int) -> Int32 { Int32(block.int8(at: 192 + e / 16)) }

    static func dequantize(_ src: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>, _ k: Int) {
        precondition(k % 256 == 0, "\(k) elements are not whole Q6_K super-blocks")
        for b in 0..<k / 256 {
            let block = src + b * 210
            let d = block.half(at: 208)
            for e in 0..<256 { out[b * 256 + e] = d * Float(scale(block, e)) * Float(q6(block, e)) }
        }
    }

    /// × Q8_K, in the order of ggml's generic `vec_dot_q6_K_q8_K`: per super-block 8 integer lanes
    /// (element e in lane e mod 8) of sc·(q − 32)·q_x, scaled by d_w·d_x into 8 float lanes.
    static func dot(_ w: UnsafeRawPointer, _ x: UnsafeRawPointer, _ k: Int) -> Float {
        precondition(k % 256 == 0, "\(k) elements are not whole Q6_K super-blocks")
        var lanes = [Float](repeating: 0, count: 8)
        for b in 0..<k / 256 {
            let wb = w + b * 210, xb = x + b * 292
            var aux = [Int32](repeating: 0, count: 8)
            for e in 0..<256 { aux[e % 8] += scale(wb, e) * q6(wb, e) * Int32(xb.int8(at: 4 + e)) }
            let d = wb.half(at: 208) * xb.loadUnaligned(as: Float.self)
            for l in 0..<8 { lanes[l] += d * Float(aux[l]) }
        }
        var sum: Float = 0
        for l in 0..<8 { sum += lanes[l] }
        return sum
    }
}
