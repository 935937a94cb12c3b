// BF16: the top 16 bits of an f32, 2 bytes; its own partner (ggml's GGML_FP32_TO_BF16 rounding).
enum BF16 {
    static func load(_ p: UnsafeRawPointer, _ i: Int) -> Float {
        bf16ToFloat(p.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
    }

    static let traits = QuantTypeTraits(
        name: "BF16", blockSize: 1, blockBytes: 2, partner: .bf16,
        dequantize: { src, out, k in for i in 0..<k { out[i] = load(src, i) } },
        dot: { w, x, k in
            var sum: Float = 0
            for i in 0..<k { sum += load(w, i) * load(x, i) }
            return sum
        },
        quantize: { x, out, k, _ in convert(x, out, k) },
        quantizeWeights: convert
    )

    /// f32 → bf16, ties to even (ggml's `ggml_fp32_to_bf16_row_ref`).
    static func convert(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, _ k: Int) {
        for i in 0..<k { out.storeBytes(of: floatToBF16(x[i]), toByteOffset: 2 * i, as: UInt16.self) }
    }
}
