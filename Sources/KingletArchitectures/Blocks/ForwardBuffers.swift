import KingletKernels

/// The activations of one forward pass of a decoder over T rows, from the model's reusable
/// scratch buffers (grown on demand, never freed between passes).
///
/// A block's attention (q, k, v, att) and its feed-forward (gate, up) are never live at once:
/// att is spent by the output projection into `proj` before the feed-forward starts, and the
/// next layer's projections come after the feed-forward's `proj` is added. So both take the same
/// `phase` buffer: for a 512-token prompt 3.1 MB less on SmolLM2 135M, 5.2 MB on Gemma 3 270M.
///
/// Likewise the normed input `xb` and a block's output `proj`: xb is last read by the products it
/// feeds (Q/K/V, gate/up), proj is first written by the product after them (W_o, W_down) and
/// added into x before the next norm writes xb. One buffer: 1.2 MB less at 512 tokens on SmolLM2.
struct ForwardBuffers {
    let x: UnsafeMutablePointer<Float>     // [T, D] residual stream
    let xb: UnsafeMutablePointer<Float>    // [T, D] normed input
    let proj: UnsafeMutablePointer<Float>  // [T, D] a block's output before the residual add, over xb
    // attention
    let q: UnsafeMutablePointer<Float>     // [T, H·Dh]
    let k: UnsafeMutablePointer<Float>     // [T, Hkv·Dh]
    let v: UnsafeMutablePointer<Float>     // [T, Hkv·Dh]
    let att: UnsafeMutablePointer<Float>   // [T, H·Dh] attention output
    // feed-forward, over the attention's buffers
    let gate: UnsafeMutablePointer<Float>  // [T, F]
    let up: UnsafeMutablePointer<Float>    // [T, F]

    init(_ scratch: ScratchBuffers, rows T: Int, _ c: ModelConfig) {
        let D = c.embeddingSize, qDim = c.headCount * c.headSize, kvDim = c.kvHeadCount * c.headSize, F = c.feedForwardSize
        x = scratch("x", T * D)
        xb = scratch("xb", T * D)
        proj = xb
        let phase = scratch("phase", T * max(2 * qDim + 2 * kvDim, 2 * F))
        q = phase
        k = q + T * qDim
        v = k + T * kvDim
        att = v + T * kvDim
        gate = phase
        up = gate + T * F
    }
}
