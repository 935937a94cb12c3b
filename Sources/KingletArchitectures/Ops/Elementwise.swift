import Foundation
import KingletKernels

/// silu(x) = x / (1 + e^(−x)) (`SiLU.silu`: the engine's exp): the one definition inference and
/// training share.
@inlinable
package func silu(_ x: Float) -> Float {
    SiLU.silu(x)
}

/// SwiGLU: g ← silu(g) · u (8 lanes at a time with AVX2, the same numbers). g, u: [n].
func swiglu(_ g: UnsafeMutablePointer<Float>, _ u: UnsafePointer<Float>, count n: Int) {
    SiLU.swiglu(g, u, count: n)
}

/// GeGLU: g ← gelu(g) · u with the tanh approximation, computed as ggml's CPU backend does: the
/// input rounded to F16 and looked up in a table of F16 results (exact below −10 and above 10).
/// g, u: [n].
func geglu(_ g: UnsafeMutablePointer<Float>, _ u: UnsafePointer<Float>, count n: Int) {
    let table = GELUTable.values
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

/// gelu(x) = 0.5·x·(1 + tanh(√(2/π)·x·(1 + 0.044715·x²))) in f32 (ggml `ggml_gelu_f32`).
@inlinable
func gelu(_ x: Float) -> Float {
    let sqrt2OverPi: Float = 0.79788456080286535587989211986876
    return 0.5 * x * (1 + tanhf(sqrt2OverPi * x * (1 + 0.044715 * x * x)))
}

/// ggml's `ggml_table_gelu_f16`: for every F16 bit pattern h, f16(gelu(f32(h))), kept as Float.
enum GELUTable {
    static let values: [Float] = (0 ... 0xFFFF).map { h in halfToFloat(floatToHalf(gelu(halfToFloat(UInt16(h))))) }
}

/// y += x. [n]
@inlinable
func addInPlace(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count n: Int) {
    for i in 0 ..< n { y[i] += x[i] }
}

/// x ← x · s. [n]
@inlinable
func scaleInPlace(_ x: UnsafeMutablePointer<Float>, by s: Float, count n: Int) {
    for i in 0 ..< n { x[i] *= s }
}

/// Soft-capping: x ← cap · tanh(x / cap), as ggml's scale, tanh, scale. [n]
@inlinable
func softcapInPlace(_ x: UnsafeMutablePointer<Float>, cap: Float, count n: Int) {
    let inv = 1 / cap
    for i in 0 ..< n { x[i] = cap * tanhf(x[i] * inv) }
}
