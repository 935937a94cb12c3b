import KingletKernels

/// Read-only llama weights: views into the memory-mapped file, never copied.
struct LlamaWeights: @unchecked Sendable {
    struct Layer {
        let attentionNorm: UnsafePointer<Float>  // [D]
        let wq: WeightMatrix                     // [H·Dh, D]
        let wk: WeightMatrix                     // [Hkv·Dh, D]
        let wv: WeightMatrix                     // [Hkv·Dh, D]
        let wo: WeightMatrix                     // [D, H·Dh]
        let ffnNorm: UnsafePointer<Float>        // [D]
        let wGate: WeightMatrix                  // [F, D]
        let wUp: WeightMatrix                    // [F, D]
        let wDown: WeightMatrix                  // [D, F]
    }

    let tokenEmbedding: WeightMatrix  // [V, D]
    let layers: [Layer]
    let outputNorm: UnsafePointer<Float>  // [D]
    let output: WeightMatrix          // [V, D]; the embedding itself when tied
    let tiedOutput: Bool

    init(_ t: TensorLoader, _ c: ModelConfig) throws(ModelError) {
        let D = c.embeddingSize, qDim = c.headCount * c.headSize, kvDim = c.kvHeadCount * c.headSize
        let F = c.feedForwardSize, V = c.vocabularySize
        tokenEmbedding = try t.matrix("token_embd.weight", rows: V, cols: D)
        var layers: [Layer] = []
        for i in 0 ..< c.layerCount {
            let p = "blk.\(i)."
            layers.append(Layer(
                attentionNorm: try t.vector(p + "attn_norm.weight", count: D),
                wq: try t.matrix(p + "attn_q.weight", rows: qDim, cols: D),
                wk: try t.matrix(p + "attn_k.weight", rows: kvDim, cols: D),
                wv: try t.matrix(p + "attn_v.weight", rows: kvDim, cols: D),
                wo: try t.matrix(p + "attn_output.weight", rows: D, cols: qDim),
                ffnNorm: try t.vector(p + "ffn_norm.weight", count: D),
                wGate: try t.matrix(p + "ffn_gate.weight", rows: F, cols: D),
                wUp: try t.matrix(p + "ffn_up.weight", rows: F, cols: D),
                wDown: try t.matrix(p + "ffn_down.weight", rows: D, cols: F)))
        }
        self.layers = layers
        outputNorm = try t.vector("output_norm.weight", count: D)
        tiedOutput = !t.hasTensor("output.weight")
        output = tiedOutput ? tokenEmbedding : try t.matrix("output.weight", rows: V, cols: D)
    }
}
