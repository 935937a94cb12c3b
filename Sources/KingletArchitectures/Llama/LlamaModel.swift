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
        let c = config
        return try DecoderPass.run(batch, c, embeddings: weights.embeddings, rope: rope, head: head, scratch: scratch, lock: lock,
                                   pool: pool, inputName: "inp_embd") { p in
            for (l, layer) in weights.layers.enumerated() {
                p.attentionInput(layer.attention, layer: l)
                if family.scalesQueries { scaleInPlace(p.b.q, by: c.queryScale, count: p.T * p.qDim) }
                p.trace("Qcur", l, p.b.q, p.T * p.qDim)
                p.trace("Kcur", l, p.b.k, p.T * p.kvDim)
                p.trace("Vcur", l, p.b.v, p.T * p.kvDim)
                attention(q: p.b.q, k: p.b.k, v: p.b.v, out: p.b.att, segments: p.layout.segments, layer: l, pool: pool)
                p.trace("kqv_out", l, p.b.att, p.T * p.qDim)
                Kernels.matmul(layer.attention.wo, p.b.att, n: p.T, p.b.proj, pool: pool)
                p.addResidual(p.b.proj)
                p.trace("ffn_inp", l, p.b.x, p.T * p.D)

                p.norm(p.b.x, weight: layer.feedForward.norm, into: p.b.xb)
                p.trace("ffn_norm", l, p.b.xb, p.T * p.D)
                feedForward(p.b.xb, rows: p.T, layer.feedForward, out: p.b.proj, scratch: (p.b.gate, p.b.up), pool: pool)
                p.addResidual(p.b.proj)
                p.trace("l_out", l, p.b.x, p.T * p.D)
            }
        }
    }
}
