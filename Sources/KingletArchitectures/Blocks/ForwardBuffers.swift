import KingletKernels

/// The activations of one forward pass of a decoder over T rows, from the model's reusable
/// scratch buffers (grown on demand, never freed between passes).
struct ForwardBuffers {
    let x: UnsafeMutablePointer<Float>     // [T, D] residual stream
    let xb: UnsafeMutablePointer<Float>    // [T, D] normed input
    let q: UnsafeMutablePointer<Float>     // [T, H·Dh]
    let k: UnsafeMutablePointer<Float>     // [T, Hkv·Dh]
    let v: UnsafeMutablePointer<Float>     // [T, Hkv·Dh]
    let att: UnsafeMutablePointer<Float>   // [T, H·Dh] attention output
    let proj: UnsafeMutablePointer<Float>  // [T, D] a block's output before the residual add
    let gate: UnsafeMutablePointer<Float>  // [T, F]
    let up: UnsafeMutablePointer<Float>    // [T, F]

    init(_ scratch: ScratchBuffers, rows T: Int, _ c: ModelConfig) {
        let D = c.embeddingSize, qDim = c.headCount * c.headSize, kvDim = c.kvHeadCount * c.headSize, F = c.feedForwardSize
        x = scratch("x", T * D)
        xb = scratch("xb", T * D)
        q = scratch("q", T * qDim)
        k = scratch("k", T * kvDim)
        v = scratch("v", T * kvDim)
        att = scratch("att", T * qDim)
        proj = scratch("proj", T * D)
        gate = scratch("gate", T * F)
        up = scratch("up", T * F)
    }
}
