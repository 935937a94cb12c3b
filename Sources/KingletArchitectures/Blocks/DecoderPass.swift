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
        norm(b.x, weight: a.norm, into: b.xb)
        trace("attn_norm", l, b.xb, T * D)
        a.project(b.xb, rows: T, q: b.q, k: b.k, v: b.v, config: config, trace: trace, layer: l, pool: pool)
        eachRows { rows in rope.apply(layer: l, q: b.q, heads: H, k: b.k, kvHeads: Hkv, headSize: Dh, angles: angles, rows: rows) }
    }

    /// Row-wise work over the batch: a prompt's rows are shared out over the pool (each row is
    /// computed alone: the same numbers), a few decoding rows stay on this thread.
    func eachRows(_ body: (Range<Int>) -> Void) {
        if T >= 32 && pool.threadCount > 1 { pool.parallelFor(T, body) } else { body(0 ..< T) }
    }

    /// y ← RMSNorm(x) · weight, row by row ([T, D]; y may be x).
    func norm(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        eachRows { r in rmsNorm(x + r.lowerBound * D, weight: weight, y + r.lowerBound * D, rows: r.count, size: D, epsilon: eps) }
    }

    /// The residual stream b.x += proj ([T, D]).
    func addResidual(_ proj: UnsafePointer<Float>) {
        eachRows { r in addInPlace(b.x + r.lowerBound * D, proj + r.lowerBound * D, count: r.count * D) }
    }
}
