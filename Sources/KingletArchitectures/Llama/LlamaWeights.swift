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
        tokenEmbedding = try t.matrix(TensorNames.tokenEmbedding, rows: V, cols: D)
        var layers: [Layer] = []
        for i in 0 ..< c.layerCount {
            let n = TensorNames.Block(i)
            layers.append(Layer(
                attentionNorm: try t.vector(n.attentionNorm, count: D),
                wq: try t.matrix(n.query, rows: qDim, cols: D),
                wk: try t.matrix(n.key, rows: kvDim, cols: D),
                wv: try t.matrix(n.value, rows: kvDim, cols: D),
                wo: try t.matrix(n.attentionOutput, rows: D, cols: qDim),
                ffnNorm: try t.vector(n.feedForwardNorm, count: D),
                wGate: try t.matrix(n.gate, rows: F, cols: D),
                wUp: try t.matrix(n.up, rows: F, cols: D),
                wDown: try t.matrix(n.down, rows: D, cols: F)))
        }
        self.layers = layers
        outputNorm = try t.vector(TensorNames.outputNorm, count: D)
        tiedOutput = !t.hasTensor(TensorNames.output)
        output = tiedOutput ? tokenEmbedding : try t.matrix(TensorNames.output, rows: V, cols: D)
    }
}
