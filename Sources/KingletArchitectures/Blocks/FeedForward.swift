import KingletKernels

/// The gated feed-forward block: out = down(act(gate·x) ⊙ up·x), with act = SiLU (SwiGLU: llama,
/// Qwen) or the tanh-approximated GELU (GeGLU: Gemma).
struct GatedFeedForward {
    enum Activation: Sendable { case silu, gelu }
    let activation: Activation

    /// x: [T, D] (normed); out: [T, D]; gate, up: [T, F] scratch. Weights: gate, up [F, D]; down [D, F].
    func callAsFunction(_ x: UnsafePointer<Float>, rows T: Int, _ w: FeedForwardWeights, out: UnsafeMutablePointer<Float>,
                        scratch: (gate: UnsafeMutablePointer<Float>, up: UnsafeMutablePointer<Float>), pool: ThreadPool) {
        let F = w.gate.rows
        Kernels.matmul([w.gate, w.up], x, n: T, [scratch.gate, scratch.up], pool: pool)
        switch activation {
        case .silu: swiglu(scratch.gate, scratch.up, count: T * F)
        case .gelu: geglu(scratch.gate, scratch.up, count: T * F)
        }
        Kernels.matmul(w.down, scratch.gate, n: T, out, pool: pool)
    }
}
