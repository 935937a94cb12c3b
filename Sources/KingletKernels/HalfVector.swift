import CKingletKernels

/// F16 vector kernels for attention over an F16 KV cache, chosen once per process: F16C + AVX2 on
/// x86 when present, else the plain Swift reference (`ReferenceHalfVector`).
///
/// (Swift's own `Float16` conversions compile to library calls on baseline x86-64, which made
/// attention a third of decode time; these run the conversion in hardware.)
public struct HalfVector: Sendable {
    public let name: String
    let dotFn: @Sendable (UnsafePointer<Float>, UnsafePointer<UInt16>, Int) -> Float
    let axpyFn: @Sendable (Float, UnsafePointer<UInt16>, UnsafeMutablePointer<Float>, Int) -> Void
    let roundFn: @Sendable (UnsafeMutablePointer<Float>, Int) -> Void
    let toHalfFn: @Sendable (UnsafePointer<Float>, UnsafeMutablePointer<UInt16>, Int) -> Void
    let attendFn: @Sendable (UnsafePointer<Float>, UnsafePointer<UInt16>, UnsafePointer<UInt16>, Int, Int, Int, Float,
                             UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void

    /// Σ q[i]·k[i]. q, k: [n].
    @inline(__always) public func dot(_ q: UnsafePointer<Float>, _ k: UnsafePointer<UInt16>, count n: Int) -> Float { dotFn(q, k, n) }
    /// y[i] += a·v[i]. v, y: [n].
    @inline(__always) public func axpy(_ a: Float, _ v: UnsafePointer<UInt16>, _ y: UnsafeMutablePointer<Float>, count n: Int) { axpyFn(a, v, y, n) }
    /// x[i] ← f32(f16(x[i])). x: [n].
    @inline(__always) public func roundToHalf(_ x: UnsafeMutablePointer<Float>, count n: Int) { roundFn(x, n) }
    /// dst[i] = f16(src[i]). src, dst: [n].
    @inline(__always) public func toHalf(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<UInt16>, count n: Int) { toHalfFn(src, dst, n) }

    /// One query attending over `len` positions of one F16 KV head (see
    /// `ReferenceHalfVector.attend`). scores: [len] scratch; out: [headSize].
    @inline(__always) public func attend(_ q: UnsafePointer<Float>, k: UnsafePointer<UInt16>, v: UnsafePointer<UInt16>,
                                         stride: Int, count len: Int, headSize: Int, scale: Float,
                                         scores: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>) {
        attendFn(q, k, v, stride, len, headSize, scale, scores, out)
    }

    public static let reference = HalfVector(
        name: "reference",
        dotFn: { ReferenceHalfVector.dot($0, $1, count: $2) },
        axpyFn: { ReferenceHalfVector.axpy($0, $1, $2, count: $3) },
        roundFn: { ReferenceHalfVector.roundToHalf($0, count: $1) },
        toHalfFn: { ReferenceHalfVector.toHalf($0, $1, count: $2) },
        attendFn: { ReferenceHalfVector.attend($0, k: $1, v: $2, stride: $3, count: $4, headSize: $5, scale: $6, scores: $7, out: $8) })

    /// The F16C version, or nil where the CPU lacks it.
    public static let fast: HalfVector? = {
        #if arch(x86_64)
        guard kk_cpu_features() & UInt32(KK_CPU_AVX2) != 0 else { return nil }
        return HalfVector(
            name: "avx2-f16c",
            dotFn: { kk_avx2_dot_f16($0, $1, Int64($2)) },
            axpyFn: { kk_avx2_axpy_f16($0, $1, $2, Int64($3)) },
            roundFn: { kk_avx2_round_f16($0, Int64($1)) },
            toHalfFn: { kk_avx2_to_f16($0, $1, Int64($2)) },
            attendFn: { q, k, v, stride, len, dh, scale, scores, out in
                if dh <= 512 {
                    kk_avx2_attend_f16(q, k, v, Int64(stride), Int64(len), Int64(dh), scale, scores, out)
                } else {
                    ReferenceHalfVector.attend(q, k: k, v: v, stride: stride, count: len, headSize: dh, scale: scale, scores: scores, out: out)
                }
            })
        #else
        return nil
        #endif
    }()

    /// What this CPU runs.
    public static let native: HalfVector = fast ?? reference
}
