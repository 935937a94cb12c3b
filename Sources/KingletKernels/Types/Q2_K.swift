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
        dequantize: dequantize, dot: dot, quantize: nil, quantizeWeights: quantize)

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

extension Q2_K {
    /// ggml's `quantize_row_q2_K_ref`: per group of 16 an affine fit (`make_qkx2_quants`, 4 levels,
    /// weights |x|, absolute error), scales and mins coded in 4 bits against d = max scale/15 and
    /// dmin = max min/15, levels recomputed from the coded values. x: [K]; out: [K/256] super-blocks.
    static func quantize(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, _ k: Int) {
        var L = [UInt8](repeating: 0, count: 256), laux = [UInt8](repeating: 0, count: 16)
        var weights = [Float](repeating: 0, count: 16)
        var scales = [Float](repeating: 0, count: 16), mins = [Float](repeating: 0, count: 16)
        forEachBlock(x, out, k, blockSize: 256, blockBytes: blockBytes, of: "Q2_K") { xb, block in
            var maxScale: Float = 0, maxMin: Float = 0
            for j in 0..<16 {
                for l in 0..<16 { weights[l] = abs(xb[16 * j + l]) }
                (scales[j], mins[j]) = L.withUnsafeMutableBufferPointer { Lp in
                    laux.withUnsafeMutableBufferPointer { aux in
                        WeightQuantizeSearch.makeQKX2Quants(
                            16, 3, xb + 16 * j, weights, Lp.baseAddress! + 16 * j, aux.baseAddress!,
                            rmin: -0.5, rdelta: 0.1, nstep: 15, useMad: true)
                    }
                }
                if scales[j] > maxScale { maxScale = scales[j] }
                if mins[j] > maxMin { maxMin = mins[j] }
            }
            var coded = [UInt8](repeating: 0, count: 16)
            if maxScale > 0 {
                let iscale = 15 / maxScale
                for j in 0..<16 { coded[j] = UInt8(truncatingIfNeeded: WeightQuantizeSearch.nearestInt(iscale * scales[j])) }
            }
            if maxMin > 0 {
                let iscale = 15 / maxMin
                for j in 0..<16 { coded[j] |= UInt8(truncatingIfNeeded: WeightQuantizeSearch.nearestInt(iscale * mins[j]) << 4) }
            }
            block.storeBytes(of: floatToHalf(maxScale > 0 ? maxScale / 15 : 0), toByteOffset: 80, as: UInt16.self)
            block.storeBytes(of: floatToHalf(maxMin > 0 ? maxMin / 15 : 0), toByteOffset: 82, as: UInt16.self)
            let d = UnsafeRawPointer(block).half(at: 80), dmin = UnsafeRawPointer(block).half(at: 82)
            for j in 0..<16 {
                block.storeBytes(of: coded[j], toByteOffset: j, as: UInt8.self)
                let dj = d * Float(coded[j] & 0xF)
                if dj == 0 { continue }
                let dm = dmin * Float(coded[j] >> 4)
                for i in 16 * j..<16 * j + 16 {
                    L[i] = UInt8(truncatingIfNeeded: max(0, min(3, WeightQuantizeSearch.nearestInt((xb[i] + dm) / dj))))
                }
            }
            storeTwoBit(block + 16) { L[$0] }
        }
    }

    /// Packs 256 two-bit levels q(i) into qs[64]: element 128·h + 32·j + l at bits 2j of qs[32·h + l].
    @inline(__always)
    static func storeTwoBit(_ qs: UnsafeMutableRawPointer, _ q: (Int) -> UInt8) {
        for h in 0..<2 {
            for l in 0..<32 {
                let e = 128 * h + l
                let byte = q(e) | q(e + 32) << 2 | q(e + 64) << 4 | q(e + 96) << 6
                qs.storeBytes(of: byte, toByteOffset: 32 * h + l, as: UInt8.self)
            }
        }
    }
}
