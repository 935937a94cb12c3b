import Foundation
import KingletKernels

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
