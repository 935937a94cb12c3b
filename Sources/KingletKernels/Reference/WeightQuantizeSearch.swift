// The pieces ggml's reference weight quantizers share (ggml-quants.c: `nearest_int`,
// `make_qx_quants`, `make_q3_quants`, `make_qkx2_quants`, and C's float → integer conversion),
// written again in Swift with the same float operations in the same order. ggml-base, where
// they live, is compiled without FMA contraction or reassociation, and Swift contracts nothing,
// so every `a * b + c` here is two roundings as it is there: that is what makes the output
// bit-identical to `llama-quantize`. Nothing here traps, whatever the input (NaN, ±inf, huge).
//
// Legend: n = elements in the group (16 or 32); L = the chosen levels, one per element.

enum WeightQuantizeSearch {
    /// ggml's GROUP_MAX_EPS: a group whose largest |x| is below this is all zero.
    static let groupMaxEps: Float = 1e-15

    /// ggml's `nearest_int`: adds 1.5·2²³ in f32 (so the add rounds to an integer, ties to even,
    /// for |x| < 2²²) and reads the low mantissa bits. Outside that range it returns what the bit
    /// trick returns, as ggml does (its assert is compiled out).
    @inline(__always)
    static func nearestInt(_ x: Float) -> Int32 {
        let v = x + 12_582_912
        return Int32(bitPattern: v.bitPattern & 0x007F_FFFF) - 0x0040_0000
    }

    /// C's float → int conversion as x86-64 compiles it (`cvttss2si`): toward zero; NaN and
    /// values outside Int32 give Int32.min. The legacy quantizers then keep the low byte.
    @inline(__always)
    static func cTruncate(_ x: Float) -> Int32 {
        guard x >= -2_147_483_648, x < 2_147_483_648 else { return .min }  // also false for NaN
        return Int32(x)
    }

    /// `(int8_t)(x)` in C on x86-64.
    @inline(__always)
    static func cInt8(_ x: Float) -> Int8 { Int8(truncatingIfNeeded: cTruncate(x)) }

    /// `(uint8_t)(x)` in C on x86-64.
    @inline(__always)
    static func cUInt8(_ x: Float) -> UInt8 { UInt8(truncatingIfNeeded: cTruncate(x)) }

    /// The first of the `n` values with the largest |x|, signed, and that |x| (0 and 0 for an
    /// all-zero group): the `amax`/`max` loop every symmetric quantizer in ggml starts with.
    @inline(__always)
    static func largestMagnitude(_ x: UnsafePointer<Float>, _ n: Int) -> (value: Float, magnitude: Float) {
        var value: Float = 0, magnitude: Float = 0
        for i in 0..<n where abs(x[i]) > magnitude { magnitude = abs(x[i]); value = x[i] }
        return (value, magnitude)
    }

    /// The block header of ggml's affine legacy quantizers (Q4_1, Q5_1): min and max of the 32
    /// values (starting from ±FLT_MAX), f16 d = (max − min)/levels at byte 0 and f16 m = min at
    /// byte 2 of `block`; returns id = 1/d (or 0) and the f32 min the levels are measured from.
    @inline(__always)
    static func affineHeader(_ x: UnsafePointer<Float>, _ block: UnsafeMutableRawPointer, levels: Float) -> (id: Float, min: Float) {
        var min = Float.greatestFiniteMagnitude, max = -Float.greatestFiniteMagnitude
        for j in 0..<32 {
            if x[j] < min { min = x[j] }
            if x[j] > max { max = x[j] }
        }
        let d = (max - min) / levels
        block.storeBytes(of: floatToHalf(d), as: UInt16.self)
        block.storeBytes(of: floatToHalf(min), toByteOffset: 2, as: UInt16.self)
        return (d != 0 ? 1 / d : 0, min)
    }

    /// The scale of ggml's symmetric legacy quantizers (Q4_0, Q5_0): d = m / −levels for the
    /// signed value m of largest magnitude, id = 1/d or 0.
    @inline(__always)
    static func symmetricScale(_ x: UnsafePointer<Float>, levels: Float) -> (d: Float, id: Float) {
        let d = largestMagnitude(x, 32).value / -levels
        return (d, d != 0 ? 1 / d : 0)
    }

    /// `make_qx_quants` with rmse_type 1 (weights x²) and no importance weights: the symmetric
    /// scale for levels −nmax…nmax−1 that minimises Σ x²·(x − s·l)², searched over 19 candidate
    /// inverse scales. Writes L[i] = l + nmax; returns the scale. (Q6_K's group search.)
    static func makeQXQuants(_ n: Int, _ nmax: Int32, _ x: UnsafePointer<Float>, _ L: UnsafeMutablePointer<Int8>) -> Float {
        let (max, amax) = largestMagnitude(x, n)
        if amax < groupMaxEps {
            for i in 0..<n { L[i] = 0 }
            return 0
        }
        @inline(__always) func level(_ iscale: Float, _ i: Int) -> Int32 {
            Swift.max(-nmax, Swift.min(nmax - 1, nearestInt(iscale * x[i])))
        }
        var iscale = -Float(nmax) / max
        var sumlx: Float = 0, suml2: Float = 0
        for i in 0..<n {
            let l = level(iscale, i)
            L[i] = Int8(truncatingIfNeeded: l + nmax)
            let w = x[i] * x[i]
            sumlx += w * x[i] * Float(l)
            suml2 += w * Float(l) * Float(l)
        }
        var scale: Float = suml2 != 0 ? sumlx / suml2 : 0
        var best = scale * sumlx
        for step in -9...9 where step != 0 {
            iscale = -(Float(nmax) + 0.1 * Float(step)) / max
            sumlx = 0; suml2 = 0
            for i in 0..<n {
                let l = level(iscale, i)
                let w = x[i] * x[i]
                sumlx += w * x[i] * Float(l)
                suml2 += w * Float(l) * Float(l)
            }
            if suml2 > 0 && sumlx * sumlx > best * suml2 {
                for i in 0..<n { L[i] = Int8(truncatingIfNeeded: nmax + level(iscale, i)) }
                scale = sumlx / suml2
                best = scale * sumlx
            }
        }
        return scale
    }

    /// `make_q3_quants` with do_rmse: a first symmetric guess, then up to five passes that move
    /// one level at a time while Σ x²-weighted fit improves. Writes L[i] = l + nmax; returns the scale.
    static func makeQ3Quants(_ n: Int, _ nmax: Int32, _ x: UnsafePointer<Float>, _ L: UnsafeMutablePointer<Int8>) -> Float {
        let (max, amax) = largestMagnitude(x, n)
        if amax < groupMaxEps {
            for i in 0..<n { L[i] = 0 }
            return 0
        }
        let iscale = -Float(nmax) / max
        var sumlx: Float = 0, suml2: Float = 0
        for i in 0..<n {
            let l = Swift.max(-nmax, Swift.min(nmax - 1, nearestInt(iscale * x[i])))
            L[i] = Int8(truncatingIfNeeded: l)
            let w = x[i] * x[i]
            sumlx += w * x[i] * Float(l)
            suml2 += w * Float(l) * Float(l)
        }
        for _ in 0..<5 {
            var changed = 0
            for i in 0..<n {
                let w = x[i] * x[i]
                let li = Float(L[i])
                var slx = sumlx - w * x[i] * li
                guard slx > 0 else { continue }
                var sl2 = suml2 - w * li * li
                let newL = Swift.max(-nmax, Swift.min(nmax - 1, nearestInt(x[i] * sl2 / slx)))
                guard newL != Int32(L[i]) else { continue }
                slx += w * x[i] * Float(newL)
                sl2 += w * Float(newL) * Float(newL)
                if sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2 {
                    L[i] = Int8(truncatingIfNeeded: newL)
                    sumlx = slx
                    suml2 = sl2
                    changed += 1
                }
            }
            if changed == 0 { break }
        }
        for i in 0..<n { L[i] = L[i] &+ Int8(truncatingIfNeeded: nmax) }
        return suml2 > 0 ? sumlx / suml2 : 0
    }

    /// `make_qkx2_quants`: the affine fit x ≈ scale·l − theMin with levels 0…nmax, minimising the
    /// weighted squared (or absolute, `useMad`) error over nstep + 1 candidate inverse scales
    /// (rmin + rdelta·step + nmax)/(max − min). Writes L; returns (scale, theMin).
    static func makeQKX2Quants(
        _ n: Int, _ nmax: Int32, _ x: UnsafePointer<Float>, _ weights: UnsafePointer<Float>,
        _ L: UnsafeMutablePointer<UInt8>, _ laux: UnsafeMutablePointer<UInt8>,
        rmin: Float, rdelta: Float, nstep: Int, useMad: Bool
    ) -> (scale: Float, theMin: Float) {
        var min = x[0], max = x[0]
        let sumW0 = weights[0]
        var sumW = sumW0, sumX = sumW0 * x[0]
        for i in 1..<n {
            if x[i] < min { min = x[i] }
            if x[i] > max { max = x[i] }
            let w = weights[i]
            sumW += w
            sumX += w * x[i]
        }
        if min > 0 { min = 0 }
        if max == min {
            for i in 0..<n { L[i] = 0 }
            return (0, -min)
        }
        @inline(__always) func level(_ iscale: Float, _ i: Int) -> UInt8 {
            UInt8(truncatingIfNeeded: Swift.max(0, Swift.min(nmax, nearestInt(iscale * (x[i] - min)))))
        }
        @inline(__always) func error(_ scale: Float, _ offset: Float, _ levels: UnsafeMutablePointer<UInt8>) -> Float {
            var total: Float = 0
            for i in 0..<n {
                var diff = scale * Float(levels[i]) + offset - x[i]
                diff = useMad ? abs(diff) : diff * diff
                total += weights[i] * diff
            }
            return total
        }
        var iscale = Float(nmax) / (max - min)
        var scale = 1 / iscale
        for i in 0..<n { L[i] = level(iscale, i) }
        var bestError = error(scale, min, L)
        guard nstep >= 1 else { return (scale, -min) }
        for step in 0...nstep {
            iscale = (rmin + rdelta * Float(step) + Float(nmax)) / (max - min)
            var sumL: Float = 0, sumL2: Float = 0, sumXL: Float = 0
            for i in 0..<n {
                let l = level(iscale, i)
                laux[i] = l
                let w = weights[i], fl = Float(l)
                sumL += w * fl
                sumL2 += w * fl * fl
                sumXL += w * fl * x[i]
            }
            let D = sumW * sumL2 - sumL * sumL
            guard D > 0 else { continue }
            var thisScale = (sumW * sumXL - sumX * sumL) / D
            var thisMin = (sumL2 * sumX - sumL * sumXL) / D
            if thisMin > 0 {
                thisMin = 0
                thisScale = sumXL / sumL2
            }
            let currentError = error(thisScale, thisMin, laux)
            if currentError < bestError {
                for i in 0..<n { L[i] = laux[i] }
                bestError = currentError
                scale = thisScale
                min = thisMin
            }
        }
        return (scale, -min)
    }
}
