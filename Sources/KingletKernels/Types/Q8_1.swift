// Q8_1: Q8_0 plus s = d·Σq, so a weight offset m contributes m·s without touching q. Only ever
// an activation type: the partner of Q4_1 and Q5_1 weights.
//
//   offset  bytes  field
//   0       2      f16 d
//   2       2      f16 s = f16(d · Σq), from the f32 d
//   4       32     i8 qs[32]
//                                                                           36 bytes
enum Q8_1 {
    static let traits = Block32.traits(
        name: "Q8_1", blockBytes: 36, withMin: false, partner: nil,
        quantize: { x, out, k, rounding in Q8_0.quantize8(x, out, k, rounding: rounding, withSum: true) },
        quantizeWeights: nil, q: { Int32($0.int8(at: 4 + $1)) })
}
