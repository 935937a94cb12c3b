// The plain Swift kernels for attention over a KV cache in ggml blocks, from each type's one
// description (Types/): rows stored and the query quantized with the types' reference quantizers,
// scores by the type's reference `dot` (ggml's generic vec_dot), values dequantized then summed in
// f32. The fallback where no fast kernel exists and what the fast ones are tested against.

extension KVBlockKernels {
    /// The reference kernels for cache type `type` (`.q8_0` or `.q4_0`), with `rounding` for the
    /// 8-bit quantizer.
    public static func reference(_ type: QuantType, rounding: ActivationRounding = .native) -> KVBlockKernels {
        precondition(cacheTypes.contains(type), "\(type) is not a KV cache block type")
        let traits = type.traits
        guard let store = traits.quantize, let dot = traits.dot, let quantizeQ8 = QuantType.q8_0.traits.quantize else {
            preconditionFailure("\(type) lacks a reference quantizer or dot product")
        }
        return KVBlockKernels(
            type: type, implementation: "reference",
            storeFn: { x, out, k in store(x, out, k, rounding) },
            quantizeQueryFn: { x, out, k in quantizeQ8(x, out, k, rounding) },
            scoresFn: { q, k, stride, len, nb, scores in
                for p in 0 ..< len { scores[p] = dot(k + p * stride, q, nb * 32) }
            },
            accumulateFn: { w, v, stride, len, nb, out in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: nb * 32) { row in  // [Dh]
                    let x = row.baseAddress!
                    for p in 0 ..< len {
                        traits.dequantize(v + p * stride, x, nb * 32)
                        for i in 0 ..< nb * 32 { out[i] += w[p] * x[i] }
                    }
                }
            })
    }
}
