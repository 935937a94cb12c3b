// Q4_K: super-blocks of 256 weights in 8 sub-blocks of 32; w = d·sc·q − dmin·m with 4-bit q and
// 6-bit sub-block scale sc and min m. Partner Q8_K. Rows must be whole super-blocks.
//
//   offset  bytes  field
//   0       2      f16 d     (scale of the sub-block scales)
//   2       2      f16 dmin  (scale of the sub-block mins)
//   4       12     scales: sub-block j < 4: sc = scales[j] & 63, m = scales[j + 4] & 63;
//                  j ≥ 4: sc = scales[j + 4] & 0xF | (scales[j − 4] >> 6) << 4,
//                         m  = scales[j + 4] >> 4  | (scales[j]     >> 6) << 4
//   16     128     qs: 64-element chunk c uses qs[32c ..< 32c + 32]; its first 32 elements
//                  (sub-block 2c) are the low nibbles, the next 32 (sub-block 2c + 1) the high
//                                                                          144 bytes
enum Q4_K {
    static let traits = QuantTypeTraits(
        name: "Q4_K", blockSize: 256, blockBytes: 144, partner: .q8_K,
        dequantize: dequantize, dot: dot, quantize: nil, quantizeWeights: quantize)

    /// (sc, m) of sub-block j (0…7) of the super-block at `block`.
    @inline(__always)
    static func scaleMin(_ block: UnsafeRawPointer, _ j: Int) -> (sc: Int32, m: Int32) {
        let s = block + 4
        if j < 4 { return (Int32(s.byte(at: j) & 63), Int32(s.byte(at: j + 4) & 63)) }
        return (Int32(s.byte(at: j + 4) & 0xF | (s.byte(at: j - 4) >> 6) << 4),
                Int32(s.byte(at: j + 4) >> 4 | (s.byte(at: j) >> 6) << 4))
    }

    /// q (0…15) of element e (0…255) of the super-block at `block`.
    @inline(__always)
    static func q4(_ block: UnsafeRawPointer, _ e: Int) -> Int32 {
        let byte = block.byte(at: 16 + 32 * (e / 64) + e % 32)
        return Int32(e % 64 < 32 ? byte & 0xF : byte >> 4)
    }

    static func dequantize(_ src: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>, _ k: Int) {
        precondition(k % 256 == 0, "\(k) elements are not whole Q4_K super-blocks")
        for b in 0..<k / 256 {
            let block = src + b * 144
            let d = block.half(at: 0), dmin = block.half(at: 2)
            for j in 0..<8 {
                let (sc, m) = scaleMin(block, j)
                let ds = d * Float(sc), dm = dmin * Float(m)
                for l in 0..<32 { out[b * 256 + 32 * j + l] = (-dm).addingProduct(ds, Float(q4(block, 32 * j + l))) }  // fused, as ggml compiles it
            }
        }
    }

    /// × Q8_K, in the order of ggml's generic `vec_dot_q4_K_q8_K`: per super-block 8 integer lanes
    /// (element e in lane e mod 8) of sc·q·q_x, scaled by d_w·d_x into 8 float lanes; the mins
    /// as dmin_w·d_x · Σ_j m_j·(bsums of sub-block j), subtracted from the total at once.
    static func dot(_ w: UnsafeRawPointer, _ x: UnsafeRawPointer, _ k: Int) -> Float {
        precondition(k % 256 == 0, "\(k) elements are not whole Q4_K super-blocks")
        var lanes = [Float](repeating: 0, count: 8)
        var sum: Float = 0
        for b in 0..<k / 256 {
            let wb = w + b * 144, xb = x + b * 292
            var aux = [Int32](repeating: 0, count: 8)
            var minSum: Int32 = 0
            for j in 0..<8 {
                let (sc, m) = scaleMin(wb, j)
                for l in 0..<32 {
                    let e = 32 * j + l
                    aux[e % 8] += sc * q4(wb, e) * Int32(xb.int8(at: 4 + e))
                }
                let bsums = Int32(xb.loadUnaligned(fromByteOffset: 260 + 4 * j, as: Int16.self))
                    + Int32(xb.loadUnaligned(fromByteOffset: 262 + 4 * j, as: Int16.self))
                minSum += m * bsums
            }
            let dx = xb.loadUnaligned(as: Float.self)
            let d = wb.half(at: 0) * dx
            for l in 0..<8 { lanes[l] += d * Float(aux[l]) }
            sum -= wb.half(at: 2) * dx * Float(minSum)
        }
        for l in 0..<8 { sum += lanes[l] }
        return sum
    }
}

extension Q4_K {
    /// ggml's `quantize_row_q4_K_ref`. x: [K]; out: [K/256] super-blocks.
    static func quantize(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, _ k: Int) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { L in
            forEachBlock(x, out, k, blockSize: 256, blockBytes: 144, of: "Q4_K") { xb, block in
                fitAffineSuperBlock(xb, block, L.baseAddress!, nmax: 15, rmin: -1, nstep: 20)
                for c in 0..<4 {  // 64-element chunk c: sub-block 2c in the low nibbles, 2c + 1 in the high
                    for l in 0..<32 {
                        block.storeBytes(of: L[64 * c + l] | L[64 * c + 32 + l] << 4, toByteOffset: 16 + 32 * c + l, as: UInt8.self)
                    }
                }
            }
        }
    }

    /// The part of `quantize_row_q4_K_ref` / `q5_K_ref` before packing the levels: per sub-block
    /// of 32 an affine fit (`make_qkx2_quants`, weights av_x + |x|), its scale and min coded in 6
    /// bits against d = max scale/63 and dmin = max min/63 (written at `block`: f16 d, f16 dmin,
    /// scales[12]), then every level recomputed from the coded scale: L[256] = 0…nmax.
    static func fitAffineSuperBlock(
        _ x: UnsafePointer<Float>, _ block: UnsafeMutableRawPointer, _ L: UnsafeMutablePointer<UInt8>,
        nmax: Int32, rmin: Float, nstep: Int
    ) {
        var scales = [Float](repeating: 0, count: 8), mins = [Float](repeating: 0, count: 8)
        var weights = [Float](repeating: 0, count: 32), laux = [UInt8](repeating: 0, count: 32)
        var maxScale: Float = 0, maxMin: Float = 0
        for j in 0..<8 {
            let xs = x + 32 * j
            var sumX2: Float = 0
            for l in 0..<32 { sumX2 += xs[l] * xs[l] }
            let avX = (sumX2 / 32).squareRoot()
            for l in 0..<32 { weights[l] = avX + abs(xs[l]) }
            (scales[j], mins[j]) = weights.withUnsafeBufferPointer { w in
                laux.withUnsafeMutableBufferPointer { aux in
                    WeightQuantizeSearch.makeQKX2Quants(
                        32, nmax, xs, w.baseAddress!, L + 32 * j, aux.baseAddress!,
                        rmin: rmin, rdelta: 0.1, nstep: nstep, useMad: false)
                }
            }
            if scales[j] > maxScale { maxScale = scales[j] }
            if mins[j] > maxMin { maxMin = mins[j] }
        }
        let invScale: Float = maxScale > 0 ? 63 / maxScale : 0
        let invMin: Float = maxMin > 0 ? 63 / maxMin : 0
        let packed = block + 4
        for j in 0..<8 {
            let ls = min(63, UInt8(truncatingIfNeeded: WeightQuantizeSearch.nearestInt(invScale * scales[j])))
            let lm = min(63, UInt8(truncatingIfNeeded: WeightQuantizeSearch.nearestInt(invMin * mins[j])))
            if j < 4 {
                packed.storeBytes(of: ls, toByteOffset: j, as: UInt8.self)
                packed.storeBytes(of: lm, toByteOffset: j + 4, as: UInt8.self)
            } else {
                packed.storeBytes(of: ls & 0xF | (lm & 0xF) << 4, toByteOffset: j + 4, as: UInt8.self)
                packed.storeBytes(of: packed.load(fromByteOffset: j - 4, as: UInt8.self) | (ls >> 4) << 6, toByteOffset: j - 4, as: UInt8.self)
                packed.storeBytes(of: packed.load(fromByteOffset: j, as: UInt8.self) | (lm >> 4) << 6, toByteOffset: j, as: UInt8.self)
            }
        }
        block.storeBytes(of: floatToHalf(maxScale / 63), as: UInt16.self)
        block.storeBytes(of: floatToHalf(maxMin / 63), toByteOffset: 2, as: UInt16.self)
        let d = UnsafeRawPointer(block).half(at: 0), dmin = UnsafeRawPointer(block).half(at: 2)
        for j in 0..<8 {
            let (sc, m) = scaleMin(UnsafeRawPointer(block), j)
            let ds = d * Float(sc)
            if ds == 0 { continue }
            let dm = dmin * Float(m)
            for i in 32 * j..<32 * j + 32 {
                L[i] = UInt8(truncatingIfNeeded: max(0, min(nmax, WeightQuantizeSearch.nearestInt((x[i] + dm) / ds))))
            }
        }
    }
}
