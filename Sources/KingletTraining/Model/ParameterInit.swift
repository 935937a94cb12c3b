import Foundation
import KingletKernels

extension SplitMix64 {
    /// Uniform in (0, 1).
    mutating func unit() -> Double { (Double(next() >> 11) + 0.5) / Double(1 << 53) }

    /// Standard normal (Box–Muller).
    mutating func normal() -> Double {
        let u1 = unit(), u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

extension ParameterLayout {
    /// GPT-2 style initialization: matrices ~ N(0, 0.02²), the two projections that write into
    /// the residual stream (attention output, FFN down) scaled by 1/√(2L); norm gains 1.
    func initialize(_ p: UnsafeMutablePointer<Float>, seed: UInt64) {
        var rng = SplitMix64(state: seed)
        let residualScale = 1 / (2 * Double(config.layerCount)).squareRoot()
        for t in tensors {
            if !t.decays {
                (p + t.offset).update(repeating: 1, count: t.count)
                continue
            }
            let writesResidual = t.name.hasSuffix("attn_output.weight") || t.name.hasSuffix("ffn_down.weight")
            let std = 0.02 * (writesResidual ? residualScale : 1)
            for i in 0 ..< t.count { p[t.offset + i] = Float(rng.normal() * std) }
        }
    }
}
