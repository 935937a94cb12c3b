// Reference dequantization: one weight row in a ggml block layout → f32. Plain scalar Swift (each
// type's in its Types/ file); the specification the SIMD kernels are held to, and the fallback on
// CPUs without them.
//
// Legend: K = elements in the row (a multiple of the type's block size).

extension ReferenceKernels {
    /// Dequantizes `count` (K) elements of `type` at `src` into `out` ([K] f32).
    public static func dequantizeRow(
        _ type: QuantType, _ src: UnsafeRawPointer, into out: UnsafeMutablePointer<Float>, count: Int
    ) {
        let traits = type.traits
        precondition(count % traits.blockSize == 0, "\(count) elements are not whole \(type) blocks")
        traits.dequantize(src, out, count)
    }
}
