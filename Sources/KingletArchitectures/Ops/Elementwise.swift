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

/// GeGLU: g ← gelu(g) · u, as ggml's CPU backend computes it (`GELU.geglu`). g, u: [n].
func geglu(_ g: UnsafeMutablePointer<Float>, _ u: UnsafePointer<Float>, count n: Int) {
    GELU.geglu(g, u, count: n)
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
