import KingletArchitectures

/// A float buffer owned by the training state (zeroed on allocation).
final class FloatBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(_ count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { pointer.deallocate() }

    func zero() { pointer.update(repeating: 0, count: count) }
}

/// Everything the forward pass saves for the backward pass, for B sequences of T tokens
/// (N = B·T rows), plus the backward's scratch. Legend as in ModelConfig; QKV = (H + 2·Hkv)·Dh.
final class Activations {
    struct Layer {
        let xn1: FloatBuffer      // [N, D]    attention-normed input
        let rstd1: FloatBuffer    // [N]
        let qkv: FloatBuffer      // [N, QKV]  q and k after RoPE
        let att: FloatBuffer      // [B, H, T, T]
        let y: FloatBuffer        // [N, H·Dh] attention output
        let mid: FloatBuffer      // [N, D]    residual after attention
        let xn2: FloatBuffer      // [N, D]
        let rstd2: FloatBuffer    // [N]
        let gateUp: FloatBuffer   // [N, 2F]
        let h: FloatBuffer        // [N, F]    silu(gate) ⊙ up
    }

    let batch: Int, length: Int
    var rows: Int { batch * length }
    let residual: [FloatBuffer]   // L+1 × [N, D]: the stream entering each layer, and the last output
    let layers: [Layer]
    let xnFinal: FloatBuffer      // [N, D]
    let rstdFinal: FloatBuffer    // [N]
    let logits: FloatBuffer       // [R, V] one output-head chunk

    // backward scratch
    let dResidual: FloatBuffer    // [N, D]
    let dxn: FloatBuffer          // [N, D]
    let dy: FloatBuffer           // [N, H·Dh]
    let dqkv: FloatBuffer         // [N, QKV]
    let dh: FloatBuffer           // [N, F]
    let dGateUp: FloatBuffer      // [N, 2F]

    init(config c: ModelConfig, batch: Int, length: Int, training: Bool) {
        self.batch = batch
        self.length = length
        let N = batch * length, D = c.embeddingSize, F = c.feedForwardSize
        let qDim = c.headCount * c.headSize, qkv = (c.headCount + 2 * c.kvHeadCount) * c.headSize
        residual = (0 ... c.layerCount).map { _ in FloatBuffer(N * D) }
        layers = (0 ..< c.layerCount).map { _ in
            Layer(xn1: FloatBuffer(N * D), rstd1: FloatBuffer(N), qkv: FloatBuffer(N * qkv),
                  att: FloatBuffer(batch * c.headCount * length * length), y: FloatBuffer(N * qDim),
                  mid: FloatBuffer(N * D), xn2: FloatBuffer(N * D), rstd2: FloatBuffer(N),
                  gateUp: FloatBuffer(N * 2 * F), h: FloatBuffer(N * F))
        }
        xnFinal = FloatBuffer(N * D)
        rstdFinal = FloatBuffer(N)
        logits = FloatBuffer(min(OutputHeadOp.chunkRows, N) * c.vocabularySize)
        let b = training ? 1 : 0
        dResidual = FloatBuffer(b * N * D)
        dxn = FloatBuffer(b * N * D)
        dy = FloatBuffer(b * N * qDim)
        dqkv = FloatBuffer(b * N * qkv)
        dh = FloatBuffer(b * N * F)
        dGateUp = FloatBuffer(b * N * 2 * F)
    }
}

extension Activations {
    /// The floats `init(config:batch:length:training:)` allocates, in Double so that absurd
    /// sizes (from flags or a shape) cannot overflow: `TrainingMemory` checks it before allocating.
    static func floatCount(config c: ModelConfig, batch: Int, length: Int, training: Bool) -> Double {
        let B = Double(batch), T = Double(length), N = B * T
        let D = Double(c.embeddingSize), F = Double(c.feedForwardSize), H = Double(c.headCount), L = Double(c.layerCount)
        let qDim = H * Double(c.headSize), qkv = (H + 2 * Double(c.kvHeadCount)) * Double(c.headSize)
        let layer = N * (3 * D + 2 + qkv + qDim + 3 * F) + B * H * T * T
        let saved = (L + 1) * N * D + L * layer + N * D + N + min(Double(OutputHeadOp.chunkRows), N) * Double(c.vocabularySize)
        let scratch = training ? N * (2 * D + qDim + qkv + 3 * F) : 0
        return saved + scratch
    }
}
