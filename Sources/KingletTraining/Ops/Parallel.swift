import KingletKernels

/// Row-parallel loops and deterministic reductions on the training thread pool.
///
/// Reductions over rows (a norm's gain gradient, the gradient norm) are split into a FIXED number
/// of chunks, independent of the thread count, and the chunk partials are summed in chunk order,
/// so a run gives the same bits with 1, 2 or 16 threads.
enum Parallel {
    /// Chunks of a deterministic reduction.
    static let reductionChunks = 16

    /// Runs `body` over contiguous ranges covering 0..<count, on the pool if there is one.
    @inline(__always)
    static func rows(_ count: Int, pool: ThreadPool?, _ body: (Range<Int>) -> Void) {
        if let pool, count > 1 { pool.parallelFor(count, body) } else if count > 0 { body(0 ..< count) }
    }

    /// out[0..<width] += Σ over rows of `row(r, partial)` contributions, where `row` adds row r's
    /// contribution into `partial` ([width]). Bit-identical for any thread count.
    static func columnSum(rows count: Int, width: Int, pool: ThreadPool?, into out: UnsafeMutablePointer<Float>,
                          _ row: (Int, UnsafeMutablePointer<Float>) -> Void) {
        let chunks = Swift.min(reductionChunks, Swift.max(count, 1))
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: chunks * width)
        defer { partials.deallocate() }
        partials.initialize(repeating: 0, count: chunks * width)
        Parallel.rows(chunks, pool: pool) { range in
            for c in range {
                let p = partials + c * width
                for r in (count * c / chunks) ..< (count * (c + 1) / chunks) { row(r, p) }
            }
        }
        for c in 0 ..< chunks {
            VectorMath.axpy(1, partials + c * width, out, width)
        }
    }
}
