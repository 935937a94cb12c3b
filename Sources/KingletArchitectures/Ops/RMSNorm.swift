/// RMSNorm over each row: y = x / sqrt(mean(x²) + ε) · w.
///
/// The sum of squares is accumulated in Double, as ggml does, so long rows do not lose precision.
/// x, y: [T, D]; w: [D]. x and y may alias.
@inlinable
func rmsNorm(_ x: UnsafePointer<Float>, weight w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
             rows: Int, size d: Int, epsilon: Float) {
    for r in 0 ..< rows {
        let xr = x + r * d, yr = y + r * d
        let scale = rmsNormScale(xr, size: d, epsilon: epsilon)
        for i in 0 ..< d { yr[i] = (xr[i] * scale) * w[i] }
    }
}

/// 1/√(mean(x²) + ε) of one row of `d` values, the sum of squares in Double as ggml does: the one
/// definition the inference engine and the training forward (which saves it for its backward) share.
@inlinable
package func rmsNormScale(_ x: UnsafePointer<Float>, size d: Int, epsilon: Float) -> Float {
    var sum: Double = 0
    for i in 0 ..< d { sum += Double(x[i] * x[i]) }
    let mean = Float(sum / Double(d))
    return 1 / (mean + epsilon).squareRoot()
}

/// Per-head RMSNorm (Q/K norm of Gemma 3, Qwen 3): every head of every row normalised on its own,
/// all heads sharing one weight. x: [T, heads·Dh], normalised in place; w: [Dh].
@inlinable
func rmsNormPerHead(_ x: UnsafeMutablePointer<Float>, weight w: UnsafePointer<Float>,
                    rows: Int, heads: Int, headSize: Int, epsilon: Float) {
    rmsNorm(x, weight: w, x, rows: rows * heads, size: headSize, epsilon: epsilon)
}
