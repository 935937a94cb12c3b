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
        let c = config
        return try DecoderPass.run(batch, c, embeddings: weights.embeddings, rope: rope, head: head, scratch: scratch, lock: lock,
                                   pool: pool, inputName: "inp_scaled") { p in
            for (l, layer) in weights.layers.enumerated() {
                p.attentionInput(layer.attention, layer: l)  // + Q/K norms
                p.trace("Qcur", l, p.b.q, p.T * p.qDim)
                p.trace("Kcur", l, p.b.k, p.T * p.kvDim)
                p.trace("Vcur", l, p.b.v, p.T * p.kvDim)
                scaleInPlace(p.b.q, by: c.queryScale, count: p.T * p.qDim)
                attention[l](q: p.b.q, k: p.b.k, v: p.b.v, out: p.b.att, segments: p.layout.segments, layer: l, pool: pool)
                p.trace("kqv_out", l, p.b.att, p.T * p.qDim)
                Kernels.matmul(layer.attention.wo, p.b.att, n: p.T, p.b.proj, pool: pool)
                p.norm(p.b.proj, weight: layer.postAttentionNorm, into: p.b.proj)
                p.trace("attn_post_norm", l, p.b.proj, p.T * p.D)
                p.addResidual(p.b.proj)
                p.trace("sa_out", l, p.b.x, p.T * p.D)

                p.norm(p.b.x, weight: layer.feedForward.norm, into: p.b.xb)
                p.trace("ffn_norm", l, p.b.xb, p.T * p.D)
                feedForward(p.b.xb, rows: p.T, layer.feedForward, out: p.b.proj, scratch: (p.b.gate, p.b.up), pool: pool)
                p.trace("ffn_out", l, p.b.proj, p.T * p.D)
                p.norm(p.b.proj, weight: layer.postFeedForwardNorm, into: p.b.proj)
                p.trace("ffn_post_norm", l, p.b.proj, p.T * p.D)
                p.addResidual(p.b.proj)
                p.trace("l_out", l, p.b.x, p.T * p.D)
            }
        }
    }
}
