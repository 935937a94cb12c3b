// Q5_1: 32 weights per block, w = q·d + m with 5-bit q (as Q5_0, no offset). Partner Q8_1.
//
//   offset  bytes  field
//   0       2      f16 d
//   2       2      f16 m
//   4       4      u8 qh[4]: bit j of the little-endian u32 is bit 4 of element j
//   8       16     u8 qs[16]: element j < 16 is qs[j] & 0xF, element j + 16 is qs[j] >> 4
//                                                                           24 bytes
enum Q5_1 {
    static let traits = QuantTypeTraits(
        name: "Q5_1", blockSize: 32, blockBytes: 24, partner: .q8_1,
        dequantize: dequantize, dot: dot, quantize: nil, quantizeWeights: quantize)

    static func dequantize(_ src: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>, _ k: Int) {
        for b in 0..<k / 32 {
            let block = src + b * 24
            let d = block.half(at: 0), m = block.half(at: 2)
            for j in 0..<32 { out[b * 32 + j] = m.addingProduct(Float(Q5_0.q5(block, j, qhOffset: 4)), d) }   // fused, as Q4_1
        }
    }

    /// × Q8_1: d_w·d_x·Σ q·q_x + m_w·s_x per block (see Q4_1).
    static func dot(_ w: UnsafeRawPointer, _ x: UnsafeRawPointer, _ k: Int) -> Float {
        var sum: Float = 0
        for b in 0..<k / 32 {
            let wb = w + b * 24, xb = x + b * 36
            var isum: Int32 = 0
            for j in 0..<32 { isum += Q5_0.q5(wb, j, qhOffset: 4) * Int32(xb.int8(at: 4 + j)) }
            sum += (wb.half(at: 0) * xb.half(at: 0)) * Float(isum) + wb.half(at: 2) * xb.half(at: 2)
        }
        return sum
    }
}

extension Q5_1 {
    /// ggml's `quantize_row_q5_1_ref`: d = (max − min)/31, m = min, q = (uint8_t)((x − min)/d + 0.5)
    /// with no clamp (a value rounding to 32 keeps its low five bits, 0, as ggml's does).
    /// x: [K]; out: [K/32] blocks.
    static func quantize(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, _ k: Int) {
        precondition(k % 32 == 0, "\(k) elements are not whole Q5_1 blocks")
        for b in 0..<k / 32 {
            let xb = x + b * 32, block = out + b * 24
            let (id, min) = WeightQuantizeSearch.affineHeader(xb, block, levels: 31)
            Q5_0.storeFiveBit(block, qhOffset: 4) { j in WeightQuantizeSearch.cUInt8((xb[j] - min) * id + 0.5) }
        }
    }
}
