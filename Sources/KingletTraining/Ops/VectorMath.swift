// Small vector primitives shared by the ops: SIMD dot/axpy and a vectorized exp.
//
// The exp is a range reduction (x = n·ln2 + r, |r| ≤ ln2/2) and a degree-7 Taylor polynomial;
// relative error < 2e-7 over the float range, which keeps softmax gradients within float noise.
// Swift's scalar `expf` per element would cost as much as the output-head matmul itself.

@usableFromInline typealias F16x = SIMD16<Float>

@inline(__always) @usableFromInline
func load16(_ p: UnsafePointer<Float>) -> F16x {
    UnsafeRawPointer(p).loadUnaligned(as: F16x.self)
}

@inline(__always) @usableFromInline
func store16(_ v: F16x, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: F16x.self)
}

/// SIMD primitives over float rows (public for the distillation losses).
public enum VectorMath {
    /// Σ a[i]·b[i], i < n.
    @inline(__always)
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = F16x(repeating: 0)
        var i = 0
        while i + 16 <= n {
            acc += load16(a + i) * load16(b + i)   // (addProduct lowers to libm fmaf calls here)
            i += 16
        }
        var s = acc.sum()
        while i < n { s += a[i] * b[i]; i += 1 }
        return s
    }

    /// y[i] += alpha·x[i], i < n.
    @inline(__always)
    public static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        let a = F16x(repeating: alpha)
        var i = 0
        while i + 16 <= n {
            store16(load16(y + i) + a * load16(x + i), y + i)
            i += 16
        }
        while i < n { y[i] += alpha * x[i]; i += 1 }
    }

    /// max over x[0..<n] (n ≥ 1).
    public static func max(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var m = F16x(repeating: -.infinity)
        var i = 0
        while i + 16 <= n { let v = load16(x + i); m.replace(with: v, where: v .> m); i += 16 }
        var s = m.max()
        while i < n { s = Swift.max(s, x[i]); i += 1 }
        return s
    }

    /// x[i] = exp(x[i] − shift) in place; returns Σ of the results (accumulated in Double).
    public static func expShifted(_ x: UnsafeMutablePointer<Float>, _ n: Int, shift: Float) -> Double {
        let sh = F16x(repeating: shift)
        var acc = F16x(repeating: 0)
        var total = 0.0
        var i = 0
        var block = 0
        while i + 16 <= n {
            let e = exp(load16(x + i) - sh)
            store16(e, x + i)
            acc += e
            i += 16
            block += 1
            if block == 64 { total += Double(acc.sum()); acc = F16x(repeating: 0); block = 0 }
        }
        total += Double(acc.sum())
        while i < n {
            let e = exp(x[i] - shift)
            x[i] = e
            total += Double(e)
            i += 1
        }
        return total
    }

    /// Σ x[i], i < n, accumulated in Double every 1024 elements.
    public static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Double {
        var total = 0.0
        var i = 0
        while i < n {
            let end = Swift.min(i + 1024, n)
            var acc = F16x(repeating: 0)
            while i + 16 <= end { acc += load16(x + i); i += 16 }
            var s = acc.sum()
            while i < end { s += x[i]; i += 1 }
            total += Double(s)
        }
        return total
    }

    /// x[i] *= s, i < n.
    public static func scale(_ x: UnsafeMutablePointer<Float>, _ n: Int, by s: Float) {
        let v = F16x(repeating: s)
        var i = 0
        while i + 16 <= n { store16(load16(x + i) * v, x + i); i += 16 }
        while i < n { x[i] *= s; i += 1 }
    }

    /// Vectorized e^x (see the file comment for accuracy).
    @inline(__always)
    static func exp(_ x: F16x) -> F16x {
        let magic: Float = 12_582_912  // 1.5·2²³: adding it rounds to an integer in the low mantissa bits
        var x = x
        let lo = F16x(repeating: -87.33), hi = F16x(repeating: 88.37)
        x.replace(with: lo, where: x .< lo)
        x.replace(with: hi, where: x .> hi)
        let t = x * F16x(repeating: 1.442_695_04) + F16x(repeating: magic)
        let n = t - F16x(repeating: magic)
        var r = x - n * F16x(repeating: 0.693_145_75)
        r = r - n * F16x(repeating: 1.428_606_8e-6)
        var p = F16x(repeating: 1.0 / 5040)
        p = p * r + F16x(repeating: 1.0 / 720)
        p = p * r + F16x(repeating: 1.0 / 120)
        p = p * r + F16x(repeating: 1.0 / 24)
        p = p * r + F16x(repeating: 1.0 / 6)
        p = p * r + F16x(repeating: 0.5)
        p = p * r + F16x(repeating: 1)
        p = p * r + F16x(repeating: 1)
        let bits = unsafeBitCast(t, to: SIMD16<Int32>.self) &- unsafeBitCast(F16x(repeating: magic), to: SIMD16<Int32>.self)
        let scale = unsafeBitCast((bits &+ 127) &<< 23, to: F16x.self)
        return p * scale
    }

    /// Scalar twin of the vectorized exp (same polynomial), for tails.
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        exp(F16x(repeating: x))[0]
    }
}
