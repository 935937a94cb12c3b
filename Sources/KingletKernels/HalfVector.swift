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
    /// One query over a KV head: q, k, v, stride, len, headSize, scale, scores, out (`attend`).
    typealias AttendFunction = @Sendable (UnsafePointer<Float>, UnsafePointer<UInt16>, UnsafePointer<UInt16>, Int, Int, Int, Float,
                                          UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void
    let attendFn: AttendFunction
    let softmaxFn: @Sendable (UnsafeMutablePointer<Float>, Int, Float) -> Void
    let attendGroupFn: @Sendable (AttendGroup) -> Void

    /// The queries of one GQA group over the same positions of one F16 KV head (`attendGroup`).
    public struct AttendGroup {
        /// Query j at q + j·queryStride, [headSize] each.
        public var q: UnsafePointer<Float>
        public var queryStride: Int
        public var queries: Int
        /// Position p's key and value at k + p·stride, v + p·stride.
        public var k: UnsafePointer<UInt16>
        public var v: UnsafePointer<UInt16>
        public var stride: Int
        public var count: Int
        public var headSize: Int
        public var scale: Float
        /// [queries · count] scratch.
        public var scores: UnsafeMutablePointer<Float>
        /// Query j's output at out + j·outStride, [headSize].
        public var out: UnsafeMutablePointer<Float>
        public var outStride: Int

        public init(q: UnsafePointer<Float>, queryStride: Int, queries: Int, k: UnsafePointer<UInt16>, v: UnsafePointer<UInt16>,
                    stride: Int, count: Int, headSize: Int, scale: Float, scores: UnsafeMutablePointer<Float>,
                    out: UnsafeMutablePointer<Float>, outStride: Int) {
            self.q = q; self.queryStride = queryStride; self.queries = queries
            self.k = k; self.v = v; self.stride = stride; self.count = count; self.headSize = headSize; self.scale = scale
            self.scores = scores; self.out = out; self.outStride = outStride
        }

        /// Each query alone through `attend` (the definition the fused kernel keeps, bit for bit).
        func oneAtATime(_ attend: AttendFunction) {
            for j in 0 ..< queries {
                attend(q + j * queryStride, k, v, stride, count, headSize, scale, scores + j * count, out + j * outStride)
            }
        }
    }

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

    /// s ← the F16-rounded softmax probabilities of scores s whose max is `mx` (`SoftmaxExp`): the
    /// softmax `attend` and `attendGroup` apply, for callers that gather the scores themselves.
    @inline(__always) public func softmaxRoundToHalf(_ s: UnsafeMutablePointer<Float>, count n: Int, max mx: Float) { softmaxFn(s, n, mx) }

    /// `g.queries` queries sharing one KV head (a GQA group at one position), each as `attend`
    /// computes it alone; the fast kernel loads and converts each key and value row once for all.
    @inline(__always) public func attendGroup(_ g: AttendGroup) { attendGroupFn(g) }

    /// `ReferenceHalfVector.attend`, the plain path every kernel falls back to.
    static let referenceAttend: AttendFunction = {
        ReferenceHalfVector.attend($0, k: $1, v: $2, stride: $3, count: $4, headSize: $5, scale: $6, scores: $7, out: $8)
    }

    public static let reference = HalfVector(
        name: "reference",
        dotFn: { ReferenceHalfVector.dot($0, $1, count: $2) },
        axpyFn: { ReferenceHalfVector.axpy($0, $1, $2, count: $3) },
        roundFn: { ReferenceHalfVector.roundToHalf($0, count: $1) },
        toHalfFn: { ReferenceHalfVector.toHalf($0, $1, count: $2) },
        attendFn: referenceAttend,
        softmaxFn: { SoftmaxExp.softmaxRoundToHalf($0, count: $1, max: $2) },
        attendGroupFn: { $0.oneAtATime(referenceAttend) })

    /// The F16C version, or nil where the CPU lacks it.
    public static let fast: HalfVector? = fast(wide: kk_cpu_features() & UInt32(KK_CPU_AVX512) != 0)

    /// Every F16C version this CPU can run: the group kernel compiled for AVX2's 16 registers and,
    /// with AVX-512 VL, for 32 (tests hold both to the one-query kernel).
    static var fastVariants: [HalfVector] {
        let wide = kk_cpu_features() & UInt32(KK_CPU_AVX512) != 0
        return (wide ? [false, true] : [false]).compactMap { fast(wide: $0) }
    }

    /// The F16C version whose group kernel uses 32 vector registers (`wide`: needs AVX-512 VL) or 16.
    static func fast(wide: Bool) -> HalfVector? {
        #if arch(x86_64)
        guard kk_cpu_features() & UInt32(KK_CPU_AVX2) != 0 else { return nil }
        return HalfVector(
            name: wide ? "avx2-f16c+avx512vl" : "avx2-f16c",
            dotFn: { kk_avx2_dot_f16($0, $1, Int64($2)) },
            axpyFn: { kk_avx2_axpy_f16($0, $1, $2, Int64($3)) },
            roundFn: { kk_avx2_round_f16($0, Int64($1)) },
            toHalfFn: { kk_avx2_to_f16($0, $1, Int64($2)) },
            attendFn: { q, k, v, stride, len, dh, scale, scores, out in
                if dh <= 512 {
                    kk_avx2_attend_f16(q, k, v, Int64(stride), Int64(len), Int64(dh), scale, scores, out)
                } else {
                    referenceAttend(q, k, v, stride, len, dh, scale, scores, out)
                }
            },
            softmaxFn: { kk_avx2_softmax_round_f16($0, Int64($1), $2) },
            attendGroupFn: { g in
                guard g.headSize <= 512 else { return g.oneAtATime(referenceAttend) }
                kk_avx2_attend_f16_group(g.q, Int64(g.queryStride), Int64(g.queries), g.k, g.v, Int64(g.stride), Int64(g.count),
                                         Int64(g.headSize), g.scale, g.scores, g.out, Int64(g.outStride), wide ? 1 : 0)
            })
        #else
        return nil
        #endif
    }

    /// What this CPU runs.
    public static let native: HalfVector = fast ?? reference
}
