/// RMSNorm over each row: y = x / sqrt(mean(x²) + ε) · w.
///
/// The sum of squares is accumulated in Double, as ggml does, so long rows do not lose precision.
/// x, y: [T, D]; w: [D]. x and y may alias.
@inlinable
func rmsNorm(_ x: UnsafePointer<Float>, weight w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
             rows: Int, size d: Int, epsilon: Float) {
    for r in 0 ..< rows {
        let xr = x + r * d, yr = y + r * d
        var sum: Double = 0
        for i in 0 ..< d { sum += Double(xr[i] * xr[i]) }
        let mean = Float(sum / Double(d))
        let scale = 1 / (mean + epsilon).squareRoot()
        for i in 0 ..< d { yr[i] = (xr[i] * scale) * w[i] }
    }
}
