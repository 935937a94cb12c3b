import Foundation
import KingletKernels

/// One forward pass of a decoder over a batch, framed the same for every architecture: under the
/// model's lock, the batch laid out and checked, the activations from the model's scratch buffers, the tokens embedded
/// into the residual stream `b.x` (times `embeddingScale`), RoPE's angles for the rows'
/// positions; then the architecture's layers; then the new positions committed and the output
/// head's logits.
struct DecoderPass {
    let layout: BatchLayout
    let b: ForwardBuffers
    let trace: Trace
    let angles: LayerRoPE.Angles
    let config: ModelConfig
    let rope: LayerRoPE
    let pool: ThreadPool
    /// T rows of D; H query and Hkv key/value heads of Dh; a row of q and one of k or v.
    let T: Int, D: Int, Dh: Int, H: Int, Hkv: Int, qDim: Int, kvDim: Int
    /// RMSNorm's epsilon.
    let eps: Float

    /// Runs `layers` between the embedding (traced as `inputName`) and the head; an empty batch
    /// gives each sequence empty logits.
    static func run(_ batch: [SequenceInput], _ c: ModelConfig, embeddings: EmbeddingWeights, rope: LayerRoPE,
                    head: OutputHead, scratch: ScratchBuffers, lock: NSLock, pool: ThreadPool, inputName: String,
                    layers: (DecoderPass) -> Void) throws(ModelError) -> [[Float]] {
        lock.lock()
        defer { lock.unlock() }
        let layout = try BatchLayout(batch, vocabularySize: c.vocabularySize)
        let T = layout.rowCount
        guard T > 0 else { return batch.map { _ in [] } }
        let b = ForwardBuffers(scratch, rows: T, c)
        let trace = Trace(batch)
        layout.embed(batch, table: embeddings.tokenEmbedding, scale: c.embeddingScale, into: b.x)
        trace(inputName, -1, b.x, T * c.embeddingSize)
        let pass = DecoderPass(layout: layout, b: b, trace: trace, angles: rope.angles(layout, scratch), config: c, rope: rope, pool: pool,
                               T: T, D: c.embeddingSize, Dh: c.headSize, H: c.headCount, Hkv: c.kvHeadCount,
                               qDim: c.headCount * c.headSize, kvDim: c.kvHeadCount * c.headSize, eps: c.rmsNormEpsilon)
        layers(pass)
        layout.commit()
        return head(b.x, layout: layout, normed: b.xb, scratch: scratch, trace: trace, pool: pool)
    }

    /// A block's queries, keys and values: the residual stream RMS-normed into `b.xb` by the
    /// block's norm, projected (Q/K norms included) and rotated.
    func attentionInput(_ a: AttentionWeights, layer l: Int) {
        rmsNorm(b.x, weight: a.norm, b.xb, rows: T, size: D, epsilon: eps)
        trace("attn_norm", l, b.xb, T * D)
        a.project(b.xb, rows: T, q: b.q, k: b.k, v: b.v, config: config, trace: trace, layer: l, pool: pool)
        rope.apply(layer: l, q: b.q, heads: H, k: b.k, kvHeads: Hkv, headSize: Dh, angles: angles)
    }
}
