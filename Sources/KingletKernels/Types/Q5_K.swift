// Q5_K: super-blocks of 256 weights in 8 sub-blocks of 32, w = d·sc·q − dmin·m with 5-bit q and
// 6-bit (sc, m) per sub-block. Partner Q8_K.
//
//   offset  bytes  field
//   0       2      f16 d
//   2       2      f16 dmin
//   4       12     u8 scales[12]: sub-block j < 4: sc = scales[j] & 63, m = scales[j + 4] & 63;
//                  j ≥ 4: sc = scales[j + 4] & 0xF | (scales[j − 4] >> 6) << 4,
//                         m = scales[j + 4] >> 4 | (scales[j] >> 6) << 4
//                  (Q4_K's packing, read by Q4_K.scaleMin)
//   16     32     u8 qh[32]: bit 4 of q for element 32·s + l is (qh[l] >> s) & 1
//   48     128    u8 qs[128]: bits 0-3 of q for element 64·j + l is qs[32·j + l] & 0xF, for
//                  element 64·j + 32 + l it is qs[32·j + l] >> 4
//                                                                          176 bytes
//
// Legend: K = elements in the row (a multiple of 256).
enum Q5_K {
    static let traits = QuantTypeTraits(
        name: "Q5_K", blockSize: 256, blockBytes: blockBytes, partner: .q8_K,
        dequantize: dequantize, dot: dot, quantize: nil, quantizeWeights: quantize)

    static let blockBytes = 176

    /// The 5-bit q of element `i` (0..<256) of the super-block at `block`.
    @inline(__always)
    static func q(_ block: UnsafeRawPointer, _ i: Int) -> Int32 {
        let (j, upper, l) = (i / 64, i % 64 >= 32, i % 32)
        let packed = block.byte(at: 48 + 32 * j + l)
        let low = upper ? packed >> 4 : packed & 0xF
        let high = (block.byte(at: 16 + l) >> (i / 32)) & 1
        return Int32(low | high << 4)
    }

    /// w = (d·sc)·q − (dmin·m), each product rounded to f32 (not fused), as ggml's
    /// dequantize_row_q5_K and gguf-py compute it.
    static func dequantize(_ src: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>, _ k: Int) {
        for b in 0..<k / 256 {
            let block = src + b * blockBytes, o = out + b * 256
            let d = block.half(at: 0), dmin = block.half(at: 2)
            for i in 0..<256 {
                let (sc, m) = Q4_K.scaleMin(block, i / 32)
                o[i] = d * Float(sc) * Float(q(block, i)) - dmin * Float(m)
            }
        }
    }

    /// × Q8_K, in the order of ggml's generic vec_dot: exact integer sums in 8 lanes (lane =
    /// element % 8) scaled by the f32 d_w·d_x into 8 f32 lanes; the mins' term
    /// (d_x·dmin)·Σ m·bsums is subtracted from a separate sum, which gets the lanes at the end.
    static func dot(_ w: UnsafeRawPointer, _ x: UnsafeRawPointer, _ k: Int) -> Float {
        var lanes = [Float](repeating: 0, count: 8)
        var sum: Float = 0
        for b in 0..<k / 256 {
            let wb = w + b * blockBytes, xb = x + b * Q8_K.blockBytes
            var isums = [Int32](repeating: 0, count: 8)
            var summs: Int32 = 0
            for g in 0..<16 { summs += Int32(Q8_K.bsum(xb, g)) * Q4_K.scaleMin(wb, g / 2).m }
            for i in 0..<256 { isums[i % 8] += Q4_K.scaleMin(wb, i / 32).sc * q(wb, i) * Int32(Q8_K.q(xb, i)) }
            let dx = Q8_K.d(xb)
            let d = wb.half(at: 0) * dx
            for l in 0..<8 { lanes[l] += d * Float(isums[l]) }
            sum -= wb.half(at: 2) * dx * Float(summs)
        }
        for l in 0..<8 { sum += lanes[l] }
        return sum
    }
}

extension Q5_K {
    /// ggml's `quantize_row_q5_K_ref`: Q4_K's fit with 32 levels, then bit 4 of each level in qh
    /// (bit s for sub-block s) and the low four in qs. x: [K]; out: [K/256] super-blocks.
    static func quantize(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, _ k: Int) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { L in
            forEachBlock(x, out, k, blockSize: 256, blockBytes: blockBytes, of: "Q5_K") { xb, block in
                Q4_K.fitAffineSuperBlock(xb, block, L.baseAddress!, nmax: 31, rmin: -0.5, nstep: 15)
                var qh = [UInt8](repeating: 0, count: 32)
                for c in 0..<4 {
                    for j in 0..<32 {
                        var l1 = L[64 * c + j], l2 = L[64 * c + j + 32]
                        if l1 > 15 { l1 -= 16; qh[j] |= 1 << (2 * c) }
                        if l2 > 15 { l2 -= 16; qh[j] |= 2 << (2 * c) }
                        block.storeBytes(of: l1 | l2 << 4, toByteOffset: 48 + 32 * c + j, as: UInt8.self)
                    }
                }
                for j in 0..<32 { block.storeBytes(of: qh[j], toByteOffset: 16 + j, as: UInt8.self) }
            }
        }
    }
}
