// Reference activation conversion: an f32 activation row → the weight type's dot partner
// (F32 stays F32, F16 → F16, BF16 → BF16, Q4_0/Q8_0 → Q8_0, Q4_1 → Q8_1), exactly as llama.cpp
// converts `src1` before `vec_dot`. Matching this bit for bit is what keeps greedy decoding
// token-identical to llama.cpp.
//
// Legend: K = elements in the row (a multiple of 32 for Q8_0/Q8_1).

/// How the 8-bit activation quantizer scales and rounds. llama.cpp has three variants that differ
/// in the last bit of x/d and in how ties round; which one runs depends on the CPU llama.cpp was
/// built for, so Kinglet picks the one of the platform it runs on (see `KernelTable`).
public enum ActivationRounding: Sendable, CaseIterable {
    /// ggml x86 (AVX/AVX2/AVX-512) `quantize_row_q8_0/1`: q = rint(x · (127 / amax)), ties to even.
    case x86
    /// ggml ARM NEON: q = rint(x · (1 / d)) with d = amax / 127, ties to even.
    case arm
    /// ggml's portable `quantize_row_q8_0_ref`: q = roundf(x · (1 / d)), ties away from zero.
    case portable

    /// The variant llama.cpp uses on the architecture this code was compiled for.
    public static var native: ActivationRounding {
        #if arch(x86_64) || arch(i386)
        return .x86
        #elseif arch(arm64)
        return .arm
        #else
        return .portable
        #endif
    }
}

extension ReferenceKernels {
    /// Converts `count` (K) f32 values at `x` into `partner`'s layout at `out` with that type's
    /// reference quantizer (F32: [K] f32, F16/BF16: [K] u16, Q8_0: [K/32] 34-byte blocks,
    /// Q8_1: [K/32] 36-byte blocks; see Types/).
    public static func quantizeRow(
        _ x: UnsafePointer<Float>, to partner: QuantType, _ out: UnsafeMutableRawPointer, count: Int,
        rounding: ActivationRounding = .native
    ) {
        guard let quantize = partner.traits.quantize else {
            preconditionFailure("\(partner) is a weight type, never an activation partner")
        }
        precondition(count % partner.blockSize == 0, "\(count) elements are not whole \(partner) blocks")
        quantize(x, out, count, rounding)
    }

    /// Quantizes `count` (K) f32 weights at `x` into `type`'s layout at `out` ([K / blockSize]
    /// blocks) with ggml's reference quantizer (`quantize_row_*_ref`), bit for bit: what
    /// `llama-quantize` writes without an importance matrix. `count` must be whole blocks.
    public static func quantizeWeightRow(_ x: UnsafePointer<Float>, to type: QuantType, _ out: UnsafeMutableRawPointer, count: Int) {
        guard let quantize = type.traits.quantizeWeights else {
            preconditionFailure("\(type) is an activation type, never a weight")
        }
        precondition(count % type.blockSize == 0, "\(count) elements are not whole \(type) blocks")
        quantize(x, out, count)
    }

    /// The block scale d = amax / 127 and the multiplier that maps x to q before rounding.
    @inlinable
    static func q8Scale(_ x: UnsafePointer<Float>, rounding: ActivationRounding) -> (d: Float, multiplier: Float) {
        var amax: Float = 0
        for j in 0..<32 { amax = max(amax, abs(x[j])) }
        let d = amax / 127
        switch rounding {
        case .x86: return (d, amax != 0 ? 127 / amax : 0)
        case .arm, .portable: return (d, d != 0 ? 1 / d : 0)
        }
    }
}
