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
        dequantize: dequantize, dot: dot, quantize: nil, quantizeWeights: quantize)

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

extension Q3_K {
    /// ggml's `quantize_row_q3_K_ref`: per group of 16 a symmetric fit (`make_q3_quants`, levels
    /// −4…3), the signed scales coded in 6 bits against d = −(max scale)/32, levels recomputed
    /// from the coded scales; bit 2 of each level goes to hmask. x: [K]; out: [K/256] super-blocks.
    static func quantize(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, _ k: Int) {
        var L = [Int8](repeating: 0, count: 256)
        var scales = [Float](repeating: 0, count: 16)
        forEachBlock(x, out, k, blockSize: 256, blockBytes: blockBytes, of: "Q3_K") { xb, block in
            for j in 0..<16 {
                scales[j] = L.withUnsafeMutableBufferPointer { WeightQuantizeSearch.makeQ3Quants(16, 4, xb + 16 * j, $0.baseAddress! + 16 * j) }
            }
            let maxScale = scales.withUnsafeBufferPointer { WeightQuantizeSearch.largestMagnitude($0.baseAddress!, 16).value }
            var packed = [UInt8](repeating: 0, count: 12)
            if maxScale != 0 {
                let iscale = -32 / maxScale
                for j in 0..<16 {
                    let coded = Int8(truncatingIfNeeded: WeightQuantizeSearch.nearestInt(iscale * scales[j]))
                    let l = UInt8(max(-32, min(31, coded)) + 32)
                    if j < 8 { packed[j] = l & 0xF } else { packed[j - 8] |= (l & 0xF) << 4 }
                    packed[8 + j % 4] |= (l >> 4) << (2 * (j / 4))
                }
                block.storeBytes(of: floatToHalf(1 / iscale), toByteOffset: 108, as: UInt16.self)
            } else {
                block.storeBytes(of: floatToHalf(0), toByteOffset: 108, as: UInt16.self)
            }
            for j in 0..<12 { block.storeBytes(of: packed[j], toByteOffset: 96 + j, as: UInt8.self) }
            let d = UnsafeRawPointer(block).half(at: 108)
            for j in 0..<16 {
                let dj = d * Float(scale(UnsafeRawPointer(block), j))
                if dj == 0 { continue }
                for i in 16 * j..<16 * j + 16 {
                    L[i] = Int8(max(-4, min(3, WeightQuantizeSearch.nearestInt(xb[i] / dj))) + 4)
                }
            }
            for m in 0..<32 {  // element j's bit 2 in hmask[j % 32], bit j / 32
                var mask: UInt8 = 0
                for bit in 0..<8 where L[32 * bit + m] > 3 {
                    mask |= 1 << bit
                    L[32 * bit + m] -= 4
                }
                block.storeBytes(of: mask, toByteOffset: m, as: UInt8.self)
            }
            Q2_K.storeTwoBit(block + 32) { UInt8(truncatingIfNeeded: L[$0]) }
        }
    }
}
