// Q8_1: Q8_0 plus s = d·Σq, so a weight offset m contributes m·s without touching q. Only ever
// an activation type: the partner of Q4_1 and Q5_1 weights.
//
//   offset  bytes  field
//   0       2      f16 d
//   2       2      f16 s = f16(d · Σq), from the f32 d
//   4       32     i8 qs[32]
//                                                                           36 bytes
enum Q8_1 {
    static let traits = QuantTypeTraits(
        name: "Q8_1", blockSize: 32, blockBytes: 36, partner: nil,
        dequantize: { src, out, k in Q8_0.dequantize8(src, out, k, blockBytes: 36, qsOffset: 4) },
        dot: nil,
        quantize: { x, out, k, rounding in Q8_0.quantize8(x, out, k, rounding: rounding, withSum: true) })
}
