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
        dequantize: dequantize, dot: dot, quantize: nil, quantizeWeights: quantize)

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

extension Q6_K {
    /// ggml's `quantize_row_q6_K_ref`: per group of 16 a symmetric fit (`make_qx_quants`, levels
    /// −32…31, weights x²), the signed scales coded in 8 bits against d = −(max scale)/128, levels
    /// recomputed from the coded scales. x: [K]; out: [K/256] super-blocks.
    static func quantize(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, _ k: Int) {
        var L = [Int8](repeating: 0, count: 256)
        var scales = [Float](repeating: 0, count: 16)
        forEachBlock(x, out, k, blockSize: 256, blockBytes: 210, of: "Q6_K") { xb, block in
            for g in 0..<16 {
                scales[g] = L.withUnsafeMutableBufferPointer { WeightQuantizeSearch.makeQXQuants(16, 32, xb + 16 * g, $0.baseAddress! + 16 * g) }
            }
            let (maxScale, maxAbsScale) = scales.withUnsafeBufferPointer { WeightQuantizeSearch.largestMagnitude($0.baseAddress!, 16) }
            if maxAbsScale < WeightQuantizeSearch.groupMaxEps {
                block.initializeMemory(as: UInt8.self, repeating: 0, count: 210)
                return
            }
            let iscale = -128 / maxScale
            block.storeBytes(of: floatToHalf(1 / iscale), toByteOffset: 208, as: UInt16.self)
            for g in 0..<16 {
                let coded = Int8(truncatingIfNeeded: min(127, WeightQuantizeSearch.nearestInt(iscale * scales[g])))
                block.storeBytes(of: coded, toByteOffset: 192 + g, as: Int8.self)
            }
            let d = UnsafeRawPointer(block).half(at: 208)
            for g in 0..<16 {
                let dg = d * Float(UnsafeRawPointer(block).int8(at: 192 + g))
                if dg == 0 { continue }
                for i in 16 * g..<16 * g + 16 {
                    L[i] = Int8(max(-32, min(31, WeightQuantizeSearch.nearestInt(xb[i] / dg))) + 32)
                }
            }
            for h in 0..<2 {
                for l in 0..<32 {
                    let e = 128 * h + l
                    let q0 = UInt8(truncatingIfNeeded: L[e]), q1 = UInt8(truncatingIfNeeded: L[e + 32])
                    let q2 = UInt8(truncatingIfNeeded: L[e + 64]), q3 = UInt8(truncatingIfNeeded: L[e + 96])
                    block.storeBytes(of: q0 & 0xF | (q2 & 0xF) << 4, toByteOffset: 64 * h + l, as: UInt8.self)
                    block.storeBytes(of: q1 & 0xF | (q3 & 0xF) << 4, toByteOffset: 64 * h + l + 32, as: UInt8.self)
                    let high = q0 >> 4 | (q1 >> 4) << 2 | (q2 >> 4) << 4 | (q3 >> 4) << 6
                    block.storeBytes(of: high, toByteOffset: 128 + 32 * h + l, as: UInt8.self)
                }
            }
        }
    }
}
