import KingletKernels

/// The gated feed-forward block: out = down(act(gate·x) ⊙ up·x), with act = SiLU (SwiGLU: llama,
/// Qwen) or the tanh-approximated GELU (GeGLU: Gemma).
struct GatedFeedForward {
    enum Activation: Sendable { case silu, gelu }
    let activation: Activation

    /// x: [T, D] (normed); out: [T, D], may be x's buffer (x is last read by the gate/up product,
    /// out first written by the down product); gate, up: [T, F] scratch. Weights: gate, up [F, D];
    /// down [D, F].
    func callAsFunction(_ x: UnsafePointer<Float>, rows T: Int, _ w: FeedForwardWeights, out: UnsafeMutablePointer<Float>,
                        scratch: (gate: UnsafeMutablePointer<Float>, up: UnsafeMutablePointer<Float>), pool: ThreadPool) {
        let F = w.gate.rows
        Kernels.matmul([w.gate, w.up], x, n: T, [scratch.gate, scratch.up], pool: pool)
        // The activation over a prompt is milliseconds of work: shared out by rows (the same
        // numbers), it no longer leaves the other threads waiting between the two products.
        let (gate, up, activation) = (scratch.gate, scratch.up, self.activation)
        func activate(_ rows: Range<Int>) {
            let g = gate + rows.lowerBound * F, u = up + rows.lowerBound * F
            switch activation {
            case .silu: SiLU.swiglu(g, u, count: rows.count * F)
            case .gelu: GELU.geglu(g, u, count: rows.count * F)
            }
        }
        if T * F >= 1 << 15 { pool.parallelFor(T, activate) } else { activate(0 ..< T) }
        Kernels.matmul(w.down, scratch.gate, n: T, out, pool: pool)
    }
}
