import CKingletKernels

/// SiLU and SwiGLU: silu(x) = x / (1 + e^(−x)) with the engine's exp (`SoftmaxExp.exp`, within
/// 2 ulp of expf), the one definition inference and training share. `swiglu` takes 8 lanes at a
/// time where the CPU has AVX2 (`kk_avx2_swiglu`: the same operations, the same numbers), else
/// this plain loop.
public enum SiLU {
    @inlinable
    public static func silu(_ x: Float) -> Float {
        x / (1 + SoftmaxExp.exp(-x))
    }

    /// σ(x) = 1 / (1 + e^(−x)) with the same exp (training's SiLU derivative).
    @inlinable
    public static func sigmoid(_ x: Float) -> Float {
        1 / (1 + SoftmaxExp.exp(-x))
    }

    /// g ← silu(g) · u. g, u: [n].
    public static func swiglu(_ g: UnsafeMutablePointer<Float>, _ u: UnsafePointer<Float>, count n: Int) {
        #if arch(x86_64)
        if vector {
            kk_avx2_swiglu(g, u, Int64(n))
            return
        }
        #endif
        referenceSwiGLU(g, u, count: n)
    }

    static func referenceSwiGLU(_ g: UnsafeMutablePointer<Float>, _ u: UnsafePointer<Float>, count n: Int) {
        for i in 0 ..< n { g[i] = silu(g[i]) * u[i] }
    }

    #if arch(x86_64)
    static let vector = kk_cpu_features() & UInt32(KK_CPU_AVX2) != 0
    #endif
}
