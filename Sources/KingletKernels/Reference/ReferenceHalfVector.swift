#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Plain Swift twins of the F16 vector kernels (attention over an F16 KV cache). They are the
/// fallback on CPUs without F16C and the reference the fast ones are tested against.
public enum ReferenceHalfVector {
    /// Σ q[i]·k[i], k in F16 bits, f32 accumulation. q, k: [n].
    public static func dot(_ q: UnsafePointer<Float>, _ k: UnsafePointer<UInt16>, count n: Int) -> Float {
        var s: Float = 0
        for i in 0 ..< n { s += q[i] * halfToFloat(k[i]) }
        return s
    }

    /// y[i] += a·v[i], v in F16 bits. v, y: [n].
    public static func axpy(_ a: Float, _ v: UnsafePointer<UInt16>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
        for i in 0 ..< n { y[i] += a * halfToFloat(v[i]) }
    }

    /// x[i] ← f32(f16(x[i])), round to nearest even. x: [n].
    public static func roundToHalf(_ x: UnsafeMutablePointer<Float>, count n: Int) {
        for i in 0 ..< n { x[i] = halfToFloat(floatToHalf(x[i])) }
    }

    /// dst[i] = f16(src[i]). src: [n], dst: [n].
    public static func toHalf(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<UInt16>, count n: Int) {
        for i in 0 ..< n { dst[i] = floatToHalf(src[i]) }
    }

    /// One query attending over `len` positions of one F16 KV head, as llama.cpp's non-flash
    /// path: q rounded to F16, scores (q·k)·scale, softmax (`SoftmaxExp`: vector exp, double sum), probabilities rounded to
    /// F16, out = Σ p·v. q: [dh]; k, v: position p at +p·stride; scores: [len]; out: [dh].
    public static func attend(_ q: UnsafePointer<Float>, k: UnsafePointer<UInt16>, v: UnsafePointer<UInt16>,
                              stride: Int, count len: Int, headSize dh: Int, scale: Float,
                              scores: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>) {
        let qh = UnsafeMutablePointer<Float>.allocate(capacity: dh)
        defer { qh.deallocate() }
        qh.update(from: q, count: dh)
        roundToHalf(qh, count: dh)
        var mx = -Float.infinity
        for p in 0 ..< len {
            scores[p] = dot(qh, k + p * stride, count: dh) * scale
            mx = max(mx, scores[p])
        }
        SoftmaxExp.softmaxRoundToHalf(scores, count: len, max: mx)
        out.update(repeating: 0, count: dh)
        for p in 0 ..< len { axpy(scores[p], v + p * stride, out, count: dh) }
    }
}
