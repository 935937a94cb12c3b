import KingletKernels

/// The tensors most decoder blocks share, loaded with the shapes the configuration implies, so an
/// architecture's weights file lists only what is its own.

/// Self-attention of one block. Shapes: D = embedding, H·Dh queries, Hkv·Dh keys and values.
/// Q, K and V come from separate `attn_q/k/v` or are row views of one fused `attn_qkv` (Phi 3);
/// the biases (Qwen 2) and the per-head Q/K norms (Qwen 3) are there when the file has them
/// (`AttentionProjection.swift` runs them).
struct AttentionWeights {
    let norm: UnsafePointer<Float>  // [D] RMSNorm before attention
    let wq: WeightMatrix            // [H·Dh, D]
    let wk: WeightMatrix            // [Hkv·Dh, D]
    let wv: WeightMatrix            // [Hkv·Dh, D]
    let wo: WeightMatrix            // [D, H·Dh]
    var bq: UnsafePointer<Float>? = nil         // [H·Dh]
    var bk: UnsafePointer<Float>? = nil         // [Hkv·Dh]
    var bv: UnsafePointer<Float>? = nil         // [Hkv·Dh]
    var queryNorm: UnsafePointer<Float>? = nil  // [Dh], shared by the heads
    var keyNorm: UnsafePointer<Float>? = nil    // [Dh]
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
    /// As llama.cpp's `create_tensor_qkv`: `attn_qkv` when the file has it, else `attn_q/k/v`;
    /// biases optional (`attn_qkv.bias`, or `attn_q/k/v.bias`); with `queryKeyNorm` the per-head
    /// norms `attn_q_norm`/`attn_k_norm` [Dh] are required.
    func attention(_ n: TensorNames.Block, _ c: ModelConfig, queryKeyNorm: Bool = false) throws(ModelError) -> AttentionWeights {
        let D = c.embeddingSize, qDim = c.headCount * c.headSize, kvDim = c.kvHeadCount * c.headSize
        let qkv = hasTensor(n.fusedQKV)
            ? try fusedMatrix(n.fusedQKV, parts: [qDim, kvDim, kvDim], cols: D)
            : [try matrix(n.query, rows: qDim, cols: D), try matrix(n.key, rows: kvDim, cols: D),
               try matrix(n.value, rows: kvDim, cols: D)]
        var a = AttentionWeights(norm: try vector(n.attentionNorm, count: D), wq: qkv[0], wk: qkv[1], wv: qkv[2],
                                 wo: try matrix(n.attentionOutput, rows: D, cols: qDim))
        if let b = try vectorIfPresent(n.fusedQKVBias, count: qDim + 2 * kvDim) {
            (a.bq, a.bk, a.bv) = (b, b + qDim, b + qDim + kvDim)
        } else {
            a.bq = try vectorIfPresent(n.queryBias, count: qDim)
            a.bk = try vectorIfPresent(n.keyBias, count: kvDim)
            a.bv = try vectorIfPresent(n.valueBias, count: kvDim)
        }
        if queryKeyNorm {
            a.queryNorm = try vector(n.queryNorm, count: c.headSize)
            a.keyNorm = try vector(n.keyNorm, count: c.headSize)
        }
        return a
    }

    /// `fusedGateUp`: gate and up are the two halves of one `ffn_up` [2F, D], gate first (Phi 3).
    func feedForward(_ n: TensorNames.Block, _ c: ModelConfig, fusedGateUp: Bool = false) throws(ModelError) -> FeedForwardWeights {
        let D = c.embeddingSize, F = c.feedForwardSize
        let gateUp = fusedGateUp
            ? try fusedMatrix(n.up, parts: [F, F], cols: D)
            : [try matrix(n.gate, rows: F, cols: D), try matrix(n.up, rows: F, cols: D)]
        return FeedForwardWeights(
            norm: try vector(n.feedForwardNorm, count: D),
            gate: gateUp[0],
            up: gateUp[1],
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
