// F32: plain 4-byte floats; its own partner (activations stay f32).
enum F32 {
    static let traits = QuantTypeTraits(
        name: "F32", blockSize: 1, blockBytes: 4, partner: .f32,
        dequantize: { src, out, k in out.update(from: src.assumingMemoryBound(to: Float.self), count: k) },
        dot: { w, x, k in
            let a = w.assumingMemoryBound(to: Float.self), b = x.assumingMemoryBound(to: Float.self)
            var sum: Float = 0
            for i in 0..<k { sum += a[i] * b[i] }
            return sum
        },
        quantize: { x, out, k, _ in out.assumingMemoryBound(to: Float.self).update(from: x, count: k) },
        quantizeWeights: { x, out, k in out.assumingMemoryBound(to: Float.self).update(from: x, count: k) }
    )
}
