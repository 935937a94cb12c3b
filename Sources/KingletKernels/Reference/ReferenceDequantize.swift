// Reference dequantization: one weight row in a ggml block layout → f32. Plain scalar Swift; the
// specification the SIMD kernels are held to, and the fallback on CPUs without them.
//
// Legend: K = elements in the row (a multiple of the type's block size).

extension ReferenceKernels {
    /// Dequantizes `count` (K) elements of `type` at `src` into `out` ([K] f32).
    public static func dequantizeRow(
        _ type: QuantType, _ src: UnsafeRawPointer, into out: UnsafeMutablePointer<Float>, count: Int
    ) {
        precondition(count % type.blockSize == 0, "\(count) elements are not whole \(type) blocks")
        switch type {
        case .f32:
            out.update(from: src.assumingMemoryBound(to: Float.self), count: count)
        case .f16:
            for i in 0..<count { out[i] = halfToFloat(src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) }
        case .bf16:
            for i in 0..<count { out[i] = bf16ToFloat(src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) }
        case .q4_0:
            for b in 0..<count / 32 {
                let block = src + b * 18           // {f16 d; u8 qs[16]}
                let d = halfToFloat(block.loadUnaligned(as: UInt16.self))
                let o = out + b * 32
                for j in 0..<16 {
                    let q = block.load(fromByteOffset: 2 + j, as: UInt8.self)
                    o[j] = Float(Int(q & 0xF) - 8) * d
                    o[j + 16] = Float(Int(q >> 4) - 8) * d
                }
            }
        case .q4_1:
            for b in 0..<count / 32 {
                let block = src + b * 20           // {f16 d; f16 m; u8 qs[16]}
                let d = halfToFloat(block.loadUnaligned(as: UInt16.self))
                let m = halfToFloat(block.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
                let o = out + b * 32
                for j in 0..<16 {
                    let q = block.load(fromByteOffset: 4 + j, as: UInt8.self)
                    o[j] = m.addingProduct(Float(q & 0xF), d)        // fused, as ggml compiles it
                    o[j + 16] = m.addingProduct(Float(q >> 4), d)
                }
            }
        case .q8_0:
            for b in 0..<count / 32 {
                let block = src + b * 34           // {f16 d; i8 qs[32]}
                let d = halfToFloat(block.loadUnaligned(as: UInt16.self))
                for j in 0..<32 { out[b * 32 + j] = Float(block.load(fromByteOffset: 2 + j, as: Int8.self)) * d }
            }
        case .q8_1:
            for b in 0..<count / 32 {
                let block = src + b * 36           // {f16 d; f16 s; i8 qs[32]}
                let d = halfToFloat(block.loadUnaligned(as: UInt16.self))
                for j in 0..<32 { out[b * 32 + j] = Float(block.load(fromByteOffset: 4 + j, as: Int8.self)) * d }
            }
        }
    }
}
