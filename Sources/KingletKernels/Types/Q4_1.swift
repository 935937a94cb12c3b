// Q4_1: 32 weights per block, w = q·d + m. Partner Q8_1.
//
//   offset  bytes  field
//   0       2      f16 d
//   2       2      f16 m
//   4       16     u8 qs[16]: element j < 16 is qs[j] & 0xF, element j + 16 is qs[j] >> 4
//                                                                           20 bytes
enum Q4_1 {
    static let traits = QuantTypeTraits(
        name: "Q4_1", blockSize: 32, blockBytes: 20, partner: .q8_1,
        dequantize: dequantize, dot: dot, quantize: nil, quantizeWeights: quantize)

    static func dequantize(_ src: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>, _ k: Int) {
        for b in 0..<k / 32 {
            let block = src + b * 20, o = out + b * 32
            let d = block.half(at: 0), m = block.half(at: 2)
            for j in 0..<16 {
                let q = block.byte(at: 4 + j)
                o[j] = m.addingProduct(Float(q & 0xF), d)        // fused, as ggml compiles it
                o[j + 16] = m.addingProduct(Float(q >> 4), d)
            }
        }
    }

    /// × Q8_1: Σ (q·d_w + m_w)·q_x·d_x = d_w·d_x·Σ q·q_x + m_w·(d_x·Σ q_x) = … + m_w·s_x.
    static func dot(_ w: UnsafeRawPointer, _ x: UnsafeRawPointer, _ k: Int) -> Float {
        var sum: Float = 0
        for b in 0..<k / 32 {
            let wb = w + b * 20, xb = x + b * 36
            var isum: Int32 = 0
            for j in 0..<16 {
                let q = wb.byte(at: 4 + j)
                isum += Int32(q & 0xF) * Int32(xb.int8(at: 4 + j))
                isum += Int32(q >> 4) * Int32(xb.int8(at: 20 + j))
            }
            sum += (wb.half(at: 0) * xb.half(at: 0)) * Float(isum) + wb.half(at: 2) * xb.half(at: 2)
        }
        return sum
    }
}

extension Q4_1 {
    /// ggml's `quantize_row_q4_1_ref`: per block d = (max − min)/15, m = min,
    /// q = MIN(15, (int8_t)((x − min)/d + 0.5)). x: [K]; out: [K/32] blocks.
    static func quantize(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, _ k: Int) {
        precondition(k % 32 == 0, "\(k) elements are not whole Q4_1 blocks")
        for b in 0..<k / 32 {
            let xb = x + b * 32, block = out + b * 20
            let (id, min) = WeightQuantizeSearch.affineHeader(xb, block, levels: 15)
            func nibble(_ v: Float) -> UInt8 {
                UInt8(truncatingIfNeeded: Swift.min(15, Int32(WeightQuantizeSearch.cInt8((v - min) * id + 0.5))))
            }
            for j in 0..<16 {
                block.storeBytes(of: nibble(xb[j]) | nibble(xb[j + 16]) << 4, toByteOffset: 4 + j, as: UInt8.self)
            }
        }
    }
}
