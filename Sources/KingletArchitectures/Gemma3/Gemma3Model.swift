import Foundation
import KingletGGUF
import KingletKernels

/// Gemma 3 (`general.architecture = gemma3`), as llama.cpp's `src/models/gemma3.cpp` builds it:
/// the embedding times √D; per block an RMSNorm before and after attention and before and after
/// the feed-forward; per-head RMSNorm on Q and K; RoPE on halves (NeoX) with base 10⁴ on
/// sliding-window (local) layers and `rope.freq_base` (10⁶) on global ones (linear `rope.scaling`
/// on the global ones only, as llama.cpp); the queries scaled by
/// 1/√Dh (1/√(D/H) for the 62-layer 27B, as llama.cpp); sliding-window attention on five of every
/// six layers (layer i is global when i % 6 == 5, unless the file gives a pattern); a GELU-gated
/// feed-forward; output head tied to the embedding when `output.weight` is absent; the final
/// logits soft-capped when the file has `final_logit_softcapping`.
public final class Gemma3Model: LanguageModel, @unchecked Sendable {
    public let config: ModelConfig
    let weights: Gemma3Weights
    let pool: ThreadPool
    let rope: LayerRoPE
    let attention: [Attention]  // [L]: windowed on local layers
    let feedForward = GatedFeedForward(activation: .gelu)
    let head: OutputHead
    let gguf: GGUFFile  // keeps the mapping alive
    private let scratch = ScratchBuffers()
    private let lock = NSLock()

    public init(gguf: GGUFFile, options: ModelLoadOptions) throws(ModelError) {
        var c = try ModelConfig(gguf: gguf, architecture: "gemma3",
                                defaults: .init(slidingWindowPeriod: 6, slidingRopeFreqBase: 10000))
        c.embeddingScale = Float(c.embeddingSize).squareRoot()  // sqrtf(n_embd)
        c.attentionScale = 1 / Float(c.layerCount == 62 ? c.embeddingSize / c.headCount : c.headSize).squareRoot()
        c.attentionLogitSoftcap = nil  // Gemma 3 has none (llama.cpp reads only the final cap for gemma3)
        try options.apply(to: &c)
        config = c
        self.gguf = gguf
        pool = options.pool
        let tensors = TensorLoader(gguf: gguf)
        weights = try Gemma3Weights(tensors, c)
        // Gemma 3 4B–27B scale positions linearly on their global layers only (`LayerRoPE`).
        rope = LayerRoPE(c, style: .neox, scaling: try RoPEScaling(c, tensors))
        try tensors.checkAllUsed(architecture: "gemma3")
        // The queries are scaled before attention, as llama.cpp does (scale 1 inside).
        attention = (0 ..< c.layerCount).map {
            Attention(heads: c.headCount, kvHeads: c.kvHeadCount, headSize: c.headSize, scale: 1,
                      window: c.slidingWindow(layer: $0), softcap: c.attentionLogitSoftcap)
        }
        head = OutputHead(norm: weights.embeddings.outputNorm, output: weights.embeddings.output, epsilon: c.rmsNormEpsilon,
                          softcap: c.finalLogitSoftcap)
    }

    public var weightSummary: String { tensorTypeSummary(gguf) }

    public func forward(_ batch: [SequenceInput]) throws(ModelError) -> [[Float]] {
        lock.lock()
        defer { lock.unlock() }
        let c = config
        let layout = try BatchLayout(batch, vocabularySize: c.vocabularySize)
        let T = layout.rowCount
        guard T > 0 else { return batch.map { _ in [] } }
        let D = c.embeddingSize, Dh = c.headSize, H = c.headCount, Hkv = c.kvHeadCount
        let qDim = H * Dh, kvDim = Hkv * Dh, eps = c.rmsNormEpsilon
        let trace = Trace(batch)
        let b = ForwardBuffers(scratch, rows: T, c)

        layout.embed(batch, table: weights.embeddings.tokenEmbedding, scale: c.embeddingScale, into: b.x)
        trace("inp_scaled", -1, b.x, T * D)
        let angles = rope.angles(layout, scratch)

        for (l, layer) in weights.layers.enumerated() {
            let a = layer.attention
            rmsNorm(b.x, weight: a.norm, b.xb, rows: T, size: D, epsilon: eps)
            trace("attn_norm", l, b.xb, T * D)
            a.project(b.xb, rows: T, q: b.q, k: b.k, v: b.v, config: c, trace: trace, layer: l, pool: pool)  // + Q/K norms
            rope.apply(layer: l, q: b.q, heads: H, k: b.k, kvHeads: Hkv, headSize: Dh, angles: angles)
            trace("Qcur", l, b.q, T * qDim)
            trace("Kcur", l, b.k, T * kvDim)
            trace("Vcur", l, b.v, T * kvDim)
            scaleInPlace(b.q, by: c.queryScale, count: T * qDim)
            attention[l](q: b.q, k: b.k, v: b.v, out: b.att, segments: layout.segments, layer: l, pool: pool)
            trace("kqv_out", l, b.att, T * qDim)
            Kernels.matmul(a.wo, b.att, n: T, b.proj, pool: pool)
            rmsNorm(b.proj, weight: layer.postAttentionNorm, b.proj, rows: T, size: D, epsilon: eps)
            trace("attn_post_norm", l, b.proj, T * D)
            addInPlace(b.x, b.proj, count: T * D)
            trace("sa_out", l, b.x, T * D)

            rmsNorm(b.x, weight: layer.feedForward.norm, b.xb, rows: T, size: D, epsilon: eps)
            trace("ffn_norm", l, b.xb, T * D)
            feedForward(b.xb, rows: T, layer.feedForward, out: b.proj, scratch: (b.gate, b.up), pool: pool)
            trace("ffn_out", l, b.proj, T * D)
            rmsNorm(b.proj, weight: layer.postFeedForwardNorm, b.proj, rows: T, size: D, epsilon: eps)
            trace("ffn_post_norm", l, b.proj, T * D)
            addInPlace(b.x, b.proj, count: T * D)
            trace("l_out", l, b.x, T * D)
        }
        layout.commit()

        return head(b.x, layout: layout, normed: b.xb, scratch: scratch, trace: trace, pool: pool)
    }
}
