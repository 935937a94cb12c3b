// F16: IEEE half floats, 2 bytes; its own partner (activations rounded to f16, ties to even).
enum F16 {
    static let traits = QuantTypeTraits(
        name: "F16", blockSize: 1, blockBytes: 2, partner: .f16,
        dequantize: { src, out, k in for i in 0..<k { out[i] = src.half(at: 2 * i) } },
        dot: { w, x, k in
            var sum: Float = 0
            for i in 0..<k { sum += w.half(at: 2 * i) * x.half(at: 2 * i) }
            return sum
        },
        quantize: { x, out, k, _ in convert(x, out, k) },
        quantizeWeights: convert
    )

    /// f32 → f16, ties to even (ggml's `ggml_fp32_to_fp16_row`).
    static func convert(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, _ k: Int) {
        for i in 0..<k { out.storeBytes(of: floatToHalf(x[i]), toByteOffset: 2 * i, as: UInt16.self) }
    }
}
