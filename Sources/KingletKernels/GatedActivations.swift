import CKingletKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The gated feed-forward activations (SwiGLU for llama/Qwen, GeGLU for Gemma): each a plain
/// Swift definition and an AVX2 kernel that gives the same numbers lane for lane (x86_glu.c).
enum GatedActivations {
    #if arch(x86_64)
    /// Whether this CPU runs the AVX2 kernels.
    static let vector = kk_cpu_features() & UInt32(KK_CPU_AVX2) != 0
    #endif
}

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
        if GatedActivations.vector {
            kk_avx2_swiglu(g, u, Int64(n))
            return
        }
        #endif
        referenceSwiGLU(g, u, count: n)
    }

    static func referenceSwiGLU(_ g: UnsafeMutablePointer<Float>, _ u: UnsafePointer<Float>, count n: Int) {
        for i in 0 ..< n { g[i] = silu(g[i]) * u[i] }
    }
}

/// GELU and GeGLU as ggml's CPU backend computes them: the tanh approximation in f32, applied
/// through a table of F16 results indexed by the input rounded to F16 (exact below −10 and
/// above 10). `geglu` takes 8 lanes at a time where the CPU has AVX2 (`kk_avx2_geglu`: F16C's
/// rounding and a gather, the same numbers), else this plain loop.
public enum GELU {
    /// gelu(x) = 0.5·x·(1 + tanh(√(2/π)·x·(1 + 0.044715·x²))) in f32 (ggml `ggml_gelu_f32`).
    @inlinable
    public static func gelu(_ x: Float) -> Float {
        let sqrt2OverPi: Float = 0.79788456080286535587989211986876
        return 0.5 * x * (1 + tanhf(sqrt2OverPi * x * (1 + 0.044715 * x * x)))
    }

    /// ggml's `ggml_table_gelu_f16`: for every F16 bit pattern h, f16(gelu(f32(h))), kept as Float.
    static let table: [Float] = (0 ... 0xFFFF).map { h in halfToFloat(floatToHalf(gelu(halfToFloat(UInt16(h))))) }

    /// g ← gelu(g) · u. g, u: [n].
    public static func geglu(_ g: UnsafeMutablePointer<Float>, _ u: UnsafePointer<Float>, count n: Int) {
        #if arch(x86_64)
        if GatedActivations.vector {
            table.withUnsafeBufferPointer { kk_avx2_geglu(g, u, $0.baseAddress!, Int64(n)) }
            return
        }
        #endif
        referenceGeGLU(g, u, count: n)
    }

    static func referenceGeGLU(_ g: UnsafeMutablePointer<Float>, _ u: UnsafePointer<Float>, count n: Int) {
        let table = Self.table
        for i in 0 ..< n {
            let x = g[i]
            if x <= -10 {
                g[i] = 0
            } else if x >= 10 {
                g[i] = x * u[i]
            } else {
                g[i] = table[Int(floatToHalf(x))] * u[i]
            }
        }
    }
}
