// Q8_K: the 8-bit activation type K-quant weights are multiplied with (ggml's `vec_dot_type` of
// Q2_K…Q6_K). 256 values per block, v = q·d, with the sums of each 16 q precomputed so a weight
// offset (Q4_K's mins, Q6_K's −32) costs one multiply per 16 elements. Never a weight.
//
//   offset  bytes  field
//   0       4      f32 d
//   4       256    i8 qs[256]
//   260     32     i16 bsums[16]: bsums[j] = Σ qs[16j ..< 16j + 16]
//                                                                          292 bytes
//
// Quantization is ggml's `quantize_row_q8_K_ref`, which both its x86 and its ARM builds use (no
// SIMD variant): max = the first x of largest |x|, iscale = −127/max, q = min(127, rint(iscale·x))
// (ties to even), d = 1/iscale (f32). So it is the same on every table (`rounding` is ignored).
enum Q8_K {
    static let traits = QuantTypeTraits(
        name: "Q8_K", blockSize: 256, blockBytes: 292, partner: nil,
        dequantize: dequantize, dot: nil, quantize: { x, out, k, _ in quantize(x, out, k) })

    static let blockBytes = 292

    /// The f32 d of the block at `block`.
    @inline(__always)
    static func d(_ block: UnsafeRawPointer) -> Float { block.loadUnaligned(as: Float.self) }

    /// qs[i] of the block at `block`.
    @inline(__always)
    static func q(_ block: UnsafeRawPointer, _ i: Int) -> Int8 { block.int8(at: 4 + i) }

    /// bsums[g] of the block at `block`.
    @inline(__always)
    static func bsum(_ block: UnsafeRawPointer, _ g: Int) -> Int16 {
        block.loadUnaligned(fromByteOffset: 260 + 2 * g, as: Int16.self)
    }

    static func dequantize(_ src: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>, _ k: Int) {
        for b in 0..<k / 256 {
            let block = src + b * 292
            let d = block.loadUnaligned(as: Float.self)
            for j in 0..<256 { out[b * 256 + j] = d * Float(block.int8(at: 4 + j)) }
        }
    }

    static func quantize(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, _ k: Int) {
        forEachBlock(x, out, k, blockSize: 256, blockBytes: 292, of: "Q8_K") { v, block in
            var amax: Float = 0, max: Float = 0
            for j in 0..<256 where abs(v[j]) > amax { amax = abs(v[j]); max = v[j] }
            guard amax != 0 else {
                block.initializeMemory(as: UInt8.self, repeating: 0, count: 292)
                return
            }
            let iscale = -127 / max
            for j in 0..<256 {
                let q = min(127, Int32((iscale * v[j]).rounded(.toNearestOrEven)))
                block.storeBytes(of: Int8(q), toByteOffset: 4 + j, as: Int8.self)
            }
            for g in 0..<16 {
                var sum: Int16 = 0
                for j in 0..<16 { sum += Int16(block.load(fromByteOffset: 4 + 16 * g + j, as: Int8.self)) }
                block.storeBytes(of: sum, toByteOffset: 260 + 2 * g, as: Int16.self)
            }
            block.storeBytes(of: 1 / iscale, as: Float.self)
        }
    }
}
