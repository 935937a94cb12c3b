import Foundation

/// SwiGLU: g ← silu(g) · u, with silu(x) = x / (1 + e^(−x)). g, u: [n].
@inlinable
func swiglu(_ g: UnsafeMutablePointer<Float>, _ u: UnsafePointer<Float>, count n: Int) {
    for i in 0 ..< n {
        let x = g[i]
        g[i] = x / (1 + expf(-x)) * u[i]
    }
}

/// y += x. [n]
@inlinable
func addInPlace(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count n: Int) {
    for i in 0 ..< n { y[i] += x[i] }
}
