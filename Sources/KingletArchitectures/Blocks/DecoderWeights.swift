import KingletKernels

/// The tensors most decoder blocks share, loaded with the shapes the configuration implies, so an
/// architecture's weights file lists only what is its own.

/// Self-attention of one block. Shapes: D = embedding, H·Dh queries, Hkv·Dh keys and values.
struct AttentionWeights {
    let norm: UnsafePointer<Float>  // [D] RMSNorm before attention
    let wq: WeightMatrix            // [H·Dh, D]
    let wk: WeightMatrix            // [Hkv·Dh, D]
    let wv: WeightMatrix            // [Hkv·Dh, D]
    let wo: WeightMatrix            // [D, H·Dh]
}

/// The gated feed-forward of one block.
struct FeedForwardWeights {
    let norm: UnsafePointer<Float>  // [D] RMSNorm before the feed-forward
    let gate: WeightMatrix          // [F, D]
    let up: WeightMatrix            // [F, D]
    let down: WeightMatrix          // [D, F]
}

/// Token embedding, final norm and output head (the embedding itself when `output.weight` is absent).
struct EmbeddingWeights {
    let tokenEmbedding: WeightMatrix    // [V, D]
    let outputNorm: UnsafePointer<Float>  // [D]
    let output: WeightMatrix            // [V, D]
    let tiedOutput: Bool
}

extension TensorLoader {
    func attention(_ n: TensorNames.Block, _ c: ModelConfig) throws(ModelError) -> AttentionWeights {
        let D = c.embeddingSize, qDim = c.headCount * c.headSize, kvDim = c.kvHeadCount * c.headSize
        return AttentionWeights(
            norm: try vector(n.attentionNorm, count: D),
            wq: try matrix(n.query, rows: qDim, cols: D),
            wk: try matrix(n.key, rows: kvDim, cols: D),
            wv: try matrix(n.value, rows: kvDim, cols: D),
            wo: try matrix(n.attentionOutput, rows: D, cols: qDim))
    }

    func feedForward(_ n: TensorNames.Block, _ c: ModelConfig) throws(ModelError) -> FeedForwardWeights {
        let D = c.embeddingSize, F = c.feedForwardSize
        return FeedForwardWeights(
            norm: try vector(n.feedForwardNorm, count: D),
            gate: try matrix(n.gate, rows: F, cols: D),
            up: try matrix(n.up, rows: F, cols: D),
            down: try matrix(n.down, rows: D, cols: F))
    }

    func embeddings(_ c: ModelConfig) throws(ModelError) -> EmbeddingWeights {
        let D = c.embeddingSize, V = c.vocabularySize
        let embedding = try matrix(TensorNames.tokenEmbedding, rows: V, cols: D)
        let tied = !hasTensor(TensorNames.output)
        return EmbeddingWeights(
            tokenEmbedding: embedding,
            outputNorm: try vector(TensorNames.outputNorm, count: D),
            output: tied ? embedding : try matrix(TensorNames.output, rows: V, cols: D),
            tiedOutput: tied)
    }
}
