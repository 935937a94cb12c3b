// Scalar conversions between Float and the two 16-bit float formats ggml stores (IEEE binary16
// "F16" and bfloat16 "BF16"). They are the reference the SIMD conversions are tested against,
// and are used wherever one scale per 32-element block is converted.

/// IEEE half bits → Float. Exact (every half is a Float).
@inlinable
public func halfToFloat(_ h: UInt16) -> Float {
    let sign = UInt32(h & 0x8000) << 16
    let exponent = UInt32(h >> 10) & 0x1F
    let mantissa = UInt32(h & 0x3FF)
    if exponent == 0x1F {                       // inf / nan: keep the payload
        return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
    }
    if exponent == 0 {                          // zero / subnormal: mantissa · 2^-24
        let magnitude = Float(mantissa) * 0x1p-24
        return sign == 0 ? magnitude : -magnitude
    }
    return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
}

/// Float → IEEE half bits, rounding to nearest, ties to even (what x86 F16C `vcvtps2ph` with
/// rounding mode 0 and ARM `fcvt` do, so it matches ggml's `GGML_CPU_FP32_TO_FP16`).
/// Overflow gives ±inf; NaN stays NaN (quieted, top payload bits kept).
@inlinable
public func floatToHalf(_ f: Float) -> UInt16 {
    let bits = f.bitPattern
    let sign = UInt16(truncatingIfNeeded: (bits >> 16) & 0x8000)
    let magnitude = bits & 0x7FFF_FFFF
    if magnitude > 0x7F80_0000 {                // nan
        return sign | 0x7E00 | UInt16(truncatingIfNeeded: (magnitude >> 13) & 0x3FF)
    }
    if magnitude >= 0x4780_0000 { return sign | 0x7C00 }   // ≥ 65536 (and inf) → inf
    if magnitude >= 0x3880_0000 {               // normal half range (≥ 2^-14)
        let rebiased = magnitude - 0x3800_0000  // exponent bias 127 → 15
        var h = rebiased >> 13
        let rest = rebiased & 0x1FFF
        if rest > 0x1000 || (rest == 0x1000 && h & 1 == 1) { h += 1 }  // may carry into inf: correct
        return sign | UInt16(truncatingIfNeeded: h)
    }
    if magnitude < 0x3300_0000 { return sign }  // < 2^-25: rounds to zero (2^-25 itself ties to 0)
    // Half subnormal: count units of 2^-24. value = m · 2^(e-150), so shift m right by 126 - e.
    let e = Int(magnitude >> 23)
    let m = (magnitude & 0x7F_FFFF) | 0x80_0000
    let shift = UInt32(126 - e)                 // 14 ... 24
    var h = m >> shift
    let rest = m & ((1 << shift) - 1)
    let halfway: UInt32 = 1 << (shift - 1)
    if rest > halfway || (rest == halfway && h & 1 == 1) { h += 1 }
    return sign | UInt16(truncatingIfNeeded: h)
}

/// bfloat16 bits → Float: the top 16 bits of a Float.
@inlinable
public func bf16ToFloat(_ b: UInt16) -> Float { Float(bitPattern: UInt32(b) << 16) }

/// Float → bfloat16 bits, rounding to nearest, ties to even; NaN is quieted (ggml's
/// `GGML_FP32_TO_BF16`). Values above the largest bf16 round to inf.
@inlinable
public func floatToBF16(_ f: Float) -> UInt16 {
    let bits = f.bitPattern
    if bits & 0x7FFF_FFFF > 0x7F80_0000 { return UInt16(truncatingIfNeeded: bits >> 16) | 64 }
    return UInt16(truncatingIfNeeded: (bits &+ (0x7FFF + ((bits >> 16) & 1))) >> 16)
}
