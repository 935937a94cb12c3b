// The arithmetic the 32-element block types share (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 and Q8_1, ggml's
// "legacy" quants): every block starts with its f16 d, weight j is q(j)·d, or q(j)·d + m where an
// f16 m follows d (Q4_1, Q5_1). Each type's file gives its q(j). The reference dot against the 8-bit
// partner (Q8_0: f16 d, 32 i8; Q8_1: f16 d, f16 s = d·Σq, 32 i8) is per block the exact integer
// Σ q(j)·q_x(j) scaled by the f32 product d_w·d_x, plus m_w·s_x for the types with an m.
enum Block32 {
    /// Element j's 4-bit q from the 16 bytes at `qs`: the low nibble of byte j for j < 16, the high
    /// nibble of byte j − 16 after.
    @inline(__always)
    static func nibble(_ block: UnsafeRawPointer, _ j: Int, qs: Int) -> Int32 {
        let q = block.byte(at: qs + (j & 15))
        return Int32(j < 16 ? q & 0xF : q >> 4)
    }

    /// x: [K/32] blocks of `blockBytes`; out: [K] floats.
    @inline(__always)
    static func dequantize(
        _ src: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>, _ k: Int, blockBytes: Int, withMin: Bool,
        q: (UnsafeRawPointer, Int) -> Int32
    ) {
        for b in 0..<k / 32 {
            let block = src + b * blockBytes, o = out + b * 32
            let d = block.half(at: 0)
            if withMin {
                let m = block.half(at: 2)
                for j in 0..<32 { o[j] = m.addingProduct(Float(q(block, j)), d) }  // fused, as ggml compiles it
            } else {
                for j in 0..<32 { o[j] = Float(q(block, j)) * d }
            }
        }
    }

    /// Weights × their partner's blocks (Q8_1 where `withMin`, else Q8_0), K elements.
    @inline(__always)
    static func dot(
        _ w: UnsafeRawPointer, _ x: UnsafeRawPointer, _ k: Int, blockBytes: Int, withMin: Bool,
        q: (UnsafeRawPointer, Int) -> Int32
    ) -> Float {
        let xBytes = withMin ? 36 : 34, xqs = withMin ? 4 : 2
        var sum: Float = 0
        for b in 0..<k / 32 {
            let wb = w + b * blockBytes, xb = x + b * xBytes
            var isum: Int32 = 0
            for j in 0..<32 { isum += q(wb, j) * Int32(xb.int8(at: xqs + j)) }
            let scaled = Float(isum) * (wb.half(at: 0) * xb.half(at: 0))
            sum += withMin ? scaled + wb.half(at: 2) * xb.half(at: 2) : scaled
        }
        return sum
    }

    /// The description of a 32-element type from its layout and its q(j): the reference dequantizer
    /// and dot are this file's; the dot exists when the type is a weight (`partner` set), against
    /// Q8_1 when the type has an m (`withMin`), else Q8_0.
    static func traits(
        name: String, blockBytes: Int, withMin: Bool, partner: QuantType?,
        quantize: (@Sendable (UnsafePointer<Float>, UnsafeMutableRawPointer, Int, ActivationRounding) -> Void)? = nil,
        quantizeWeights: (@Sendable (UnsafePointer<Float>, UnsafeMutableRawPointer, Int) -> Void)?,
        q: @escaping @Sendable (UnsafeRawPointer, Int) -> Int32
    ) -> QuantTypeTraits {
        let weightDot: @Sendable (UnsafeRawPointer, UnsafeRawPointer, Int) -> Float = { w, x, k in
            dot(w, x, k, blockBytes: blockBytes, withMin: withMin, q: q)
        }
        return QuantTypeTraits(
            name: name, blockSize: 32, blockBytes: blockBytes, partner: partner,
            dequantize: { src, out, k in dequantize(src, out, k, blockBytes: blockBytes, withMin: withMin, q: q) },
            dot: partner == nil ? nil : weightDot,
            quantize: quantize, quantizeWeights: quantizeWeights)
    }
}
