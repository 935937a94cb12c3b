import Foundation
import KingletGGUF
import KingletKernels

/// The llama architecture as GGUF describes it (`general.architecture = llama`: SmolLM2,
/// Llama 3.x, TinyLlama): RMSNorm, RoPE (adjacent pairs; scaled as the file says: Llama 3's
/// `rope_freqs`, linear), grouped-query attention, SwiGLU, output head tied to the embedding when
/// `output.weight` is absent. The same forward pass runs the rest of the llama family
/// (`LlamaFamily`: Qwen 2, Qwen 3, Phi 3).
public final class LlamaModel: LanguageModel, @unchecked Sendable {
    public let config: ModelConfig
    let weights: LlamaWeights
    let pool: ThreadPool
    let rope: LayerRoPE
    let attention: Attention
    let feedForward = GatedFeedForward(activation: .silu)
    let head: OutputHead
    let gguf: GGUFFile  // keeps the mapping alive
    private let scratch = ScratchBuffers()
    private let lock = NSLock()

    let family: LlamaFamily

    public convenience init(gguf: GGUFFile, options: ModelLoadOptions) throws(ModelError) {
        try self.init(gguf: gguf, options: options, family: .llama)
    }

    /// A member of the llama family: `family.architecture` names its metadata keys.
    init(gguf: GGUFFile, options: ModelLoadOptions, family: LlamaFamily) throws(ModelError) {
        var config = try ModelConfig(gguf: gguf, architecture: family.architecture)
        try options.apply(to: &config)
        self.config = config
        self.family = family
        self.gguf = gguf
        self.pool = options.pool
        let tensors = TensorLoader(gguf: gguf)
        self.weights = try LlamaWeights(tensors, config, family)
        self.head = OutputHead(norm: weights.embeddings.outputNorm, output: weights.embeddings.output, epsilon: config.rmsNormEpsilon, softcap: nil)
        self.rope = LayerRoPE(config, style: family.ropeStyle, scaling: try RoPEScaling(config, tensors))
        try tensors.checkAllUsed(architecture: family.architecture)
        self.attention = Attention(heads: config.headCount, kvHeads: config.kvHeadCount, headSize: config.headSize,
                                   scale: family.scalesQueries ? 1 : config.queryScale)
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

        layout.embed(batch, table: weights.embeddings.tokenEmbedding, into: b.x)
        let angles = rope.angles(layout, scratch)
        trace("inp_embd", -1, b.x, T * D)

        for (l, layer) in weights.layers.enumerated() {
            let a = layer.attention
            rmsNorm(b.x, weight: a.norm, b.xb, rows: T, size: D, epsilon: eps)
            trace("attn_norm", l, b.xb, T * D)
            a.project(b.xb, rows: T, q: b.q, k: b.k, v: b.v, config: c, trace: trace, layer: l, pool: pool)
            rope.apply(layer: l, q: b.q, heads: H, k: b.k, kvHeads: Hkv, headSize: Dh, angles: angles)
            if family.scalesQueries { scaleInPlace(b.q, by: c.queryScale, count: T * qDim) }
            trace("Qcur", l, b.q, T * qDim)
            trace("Kcur", l, b.k, T * kvDim)
            trace("Vcur", l, b.v, T * kvDim)
            attention(q: b.q, k: b.k, v: b.v, out: b.att, segments: layout.segments, layer: l, pool: pool)
            trace("kqv_out", l, b.att, T * qDim)
            Kernels.matmul(a.wo, b.att, n: T, b.proj, pool: pool)
            addInPlace(b.x, b.proj, count: T * D)
            trace("ffn_inp", l, b.x, T * D)

            rmsNorm(b.x, weight: layer.feedForward.norm, b.xb, rows: T, size: D, epsilon: eps)
            trace("ffn_norm", l, b.xb, T * D)
            feedForward(b.xb, rows: T, layer.feedForward, out: b.proj, scratch: (b.gate, b.up), pool: pool)
            addInPlace(b.x, b.proj, count: T * D)
            trace("l_out", l, b.x, T * D)
        }
        layout.commit()

        return head(b.x, layout: layout, normed: b.xb, scratch: scratch, trace: trace, pool: pool)
    }
}
