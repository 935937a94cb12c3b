import KingletKernels

/// Clipping by global norm: ‖g‖₂ over every parameter, summed in fixed chunks (thread-count
/// independent), and the factor that brings it down to `maxNorm`.
enum GradientClipping {
    static func globalNorm(_ g: UnsafePointer<Float>, count: Int, pool: ThreadPool?) -> Double {
        let chunks = Parallel.reductionChunks
        var partial = [Double](repeating: 0, count: chunks)
        partial.withUnsafeMutableBufferPointer { pb in
            Parallel.rows(chunks, pool: pool) { range in
                for c in range {
                    let lo = count * c / chunks, hi = count * (c + 1) / chunks
                    var acc = 0.0
                    var i = lo
                    while i < hi {
                        let end = min(i + 4096, hi)
                        acc += Double(VectorMath.dot(g + i, g + i, end - i))
                        i = end
                    }
                    pb[c] = acc
                }
            }
        }
        return partial.reduce(0, +).squareRoot()
    }

    /// 1 when ‖g‖ ≤ maxNorm (or clipping is off), else maxNorm/‖g‖.
    static func scale(norm: Double, maxNorm: Float) -> Float {
        guard maxNorm > 0, norm > Double(maxNorm), norm.isFinite else { return 1 }
        return Float(Double(maxNorm) / norm)
    }
}
