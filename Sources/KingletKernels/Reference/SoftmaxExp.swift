/// The engine's exp (attention's softmax over an F16 cache, SiLU) and that softmax, in plain
/// Swift: lane for lane what `kk_avx2_exp` and `kk_avx2_softmax_round_f16` compute
/// (x86_exp8.h, x86_softmax_f16.c), bit for bit
/// (`SoftmaxExpTests`). Cody–Waite range reduction, Cephes' minimax polynomial for e^r on
/// |r| ≤ ln2/2, the power of two added to the exponent bits: within 2 ulp of expf.
public enum SoftmaxExp {
    /// e^x; 0 below −86 (and for −∞).
    @inlinable
    public static func exp(_ x0: Float) -> Float {
        if x0 < -86 { return 0 }
        let x = x0.isNaN ? -86 : min(max(x0, -86), 88)  // as _mm256_max_ps(x, c): NaN takes c
        let n = (x * 1.44269504088896341).rounded(.toNearestOrEven)
        var r = x.addingProduct(-n, 0.693359375)
        r = r.addingProduct(-n, -2.12194440e-4)
        var p: Float = 1.9875691500e-4
        p = Float(1.3981999507e-3).addingProduct(p, r)
        p = Float(8.3334519073e-3).addingProduct(p, r)
        p = Float(4.1665795894e-2).addingProduct(p, r)
        p = Float(1.6666665459e-1).addingProduct(p, r)
        p = Float(5.0000001201e-1).addingProduct(p, r)
        p = (r + 1).addingProduct(p, r * r)
        return Float(bitPattern: p.bitPattern &+ UInt32(bitPattern: Int32(n) << 23))
    }

    /// s[p] ← softmax probabilities of the scores s (their max `mx`), rounded to F16: exp(s − mx),
    /// summed in double as the kernel does (eight lanes into four double lanes, a tail in order),
    /// scaled by 1/Σ.
    public static func softmaxRoundToHalf(_ s: UnsafeMutablePointer<Float>, count len: Int, max mx: Float) {
        var a = [Double](repeating: 0, count: 8)  // the kernel's two registers of four double lanes
        var p = 0
        while p + 8 <= len {
            for i in 0 ..< 8 {
                s[p + i] = exp(s[p + i] - mx)
                a[i] += Double(s[p + i])
            }
            p += 8
        }
        let lanes = (0 ..< 4).map { a[$0] + a[$0 + 4] }
        var sum = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
        while p < len {
            s[p] = exp(s[p] - mx)
            sum += Double(s[p])
            p += 1
        }
        let inv = Float(1 / sum)
        for i in 0 ..< len { s[i] *= inv }
        ReferenceHalfVector.roundToHalf(s, count: len)
    }
}
