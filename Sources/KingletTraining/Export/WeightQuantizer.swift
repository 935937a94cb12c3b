import KingletGGUF
import KingletKernels

// f32 weights → the export types, bit-exact with ggml's reference quantizers
// (`quantize_row_q8_0_ref`, `quantize_row_q4_0_ref` compiled without FMA contraction) and with
// gguf-py's `quants.py`, which reproduces them; F16 rounds to nearest, ties to even.
// Tests/Data/quant holds golden bytes made by gguf-py (scripts/make-quant-golden.py).
//
// Legend: K = elements in a row (a multiple of 32 for Q8_0/Q4_0).

/// Converts f32 weight rows to F32, F16, Q8_0 or Q4_0 blocks.
public enum WeightQuantizer {
    /// Converts `count` (K) values at `x` into `type`'s layout at `out`
    /// (F32: [K] f32; F16: [K] u16; Q8_0: [K/32] × 34 bytes; Q4_0: [K/32] × 18 bytes).
    public static func convert(_ x: UnsafePointer<Float>, count: Int, to type: GGMLType, into out: UnsafeMutableRawPointer) {
        switch type {
        case .f32:
            out.copyMemory(from: x, byteCount: 4 * count)
        case .f16:
            HalfVector.native.toHalf(x, out.assumingMemoryBound(to: UInt16.self), count: count)
        case .q8_0:
            quantizeQ8_0(x, count: count, into: out)
        case .q4_0:
            quantizeQ4_0(x, count: count, into: out)
        default:
            preconditionFailure("no quantizer for \(type)")
        }
    }

    /// `values` in `type`'s layout (a convenience for small tensors and tests).
    public static func convert(_ values: [Float], to type: GGMLType) -> [UInt8] {
        guard let bytes = type.byteCount(elements: values.count) else {
            preconditionFailure("\(values.count) values are not whole \(type) blocks")
        }
        var out = [UInt8](repeating: 0, count: bytes)
        values.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBytes { o in
                if let src = x.baseAddress, let dst = o.baseAddress { convert(src, count: values.count, to: type, into: dst) }
            }
        }
        return out
    }

    /// Q8_0: per block of 32, d = amax / 127 and q = round(x / d) away from zero.
    /// Blocks: {f16 d; i8 qs[32]}.
    public static func quantizeQ8_0(_ x: UnsafePointer<Float>, count: Int, into out: UnsafeMutableRawPointer) {
        precondition(count % 32 == 0, "\(count) elements are not whole Q8_0 blocks")
        for b in 0 ..< count / 32 {
            let xb = x + 32 * b, block = out + 34 * b
            var amax: Float = 0
            for j in 0 ..< 32 { amax = max(amax, abs(xb[j])) }
            let d = amax / 127
            let id: Float = d != 0 ? 1 / d : 0
            block.storeBytes(of: floatToHalf(d), as: UInt16.self)
            for j in 0 ..< 32 {
                let q = (xb[j] * id).rounded(.toNearestOrAwayFromZero)
                block.storeBytes(of: Int8(q.isNaN ? 0 : max(-128, min(127, q))), toByteOffset: 2 + j, as: Int8.self)
            }
        }
    }

    /// Q4_0: per block of 32, d = m / -8 where m is the value of largest magnitude (the first
    /// such), q = min(15, trunc(x / d + 8.5)); element j goes in the low nibble of byte j,
    /// element j + 16 in its high nibble. Blocks: {f16 d; u8 qs[16]}.
    public static func quantizeQ4_0(_ x: UnsafePointer<Float>, count: Int, into out: UnsafeMutableRawPointer) {
        precondition(count % 32 == 0, "\(count) elements are not whole Q4_0 blocks")
        @inline(__always) func nibble(_ v: Float) -> UInt8 {
            // trunc then min(15): the same as clamping first; NaN (only from non-finite input) → 0.
            let shifted = v + 8.5
            return UInt8(shifted.isNaN ? 0 : max(0, min(15, shifted)))
        }
        for b in 0 ..< count / 32 {
            let xb = x + 32 * b, block = out + 18 * b
            var amax: Float = 0, m: Float = 0
            for j in 0 ..< 32 where amax < abs(xb[j]) {
                amax = abs(xb[j])
                m = xb[j]
            }
            let d = m / -8
            let id: Float = d != 0 ? 1 / d : 0
            block.storeBytes(of: floatToHalf(d), as: UInt16.self)
            for j in 0 ..< 16 {
                let lo = nibble(xb[j] * id), hi = nibble(xb[j + 16] * id)
                block.storeBytes(of: lo | hi << 4, toByteOffset: 2 + j, as: UInt8.self)
            }
        }
    }
}
