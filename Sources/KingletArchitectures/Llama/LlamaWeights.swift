import KingletKernels

/// Read-only weights of the llama family (`LlamaFamily`): views into the memory-mapped file, never copied.
struct LlamaWeights: @unchecked Sendable {
    struct Layer {
        let attention: AttentionWeights      // norm [D], q [H·Dh, D], k, v [Hkv·Dh, D], o [D, H·Dh]; biases, Q/K norms
        let feedForward: FeedForwardWeights  // norm [D], gate, up [F, D] (halves of ffn_up when fused), down [D, F]
    }

    let embeddings: EmbeddingWeights  // token embedding [V, D], output norm [D], head [V, D]
    let layers: [Layer]

    init(_ t: TensorLoader, _ c: ModelConfig, _ family: LlamaFamily) throws(ModelError) {
        embeddings = try t.embeddings(c)
        var layers: [Layer] = []
        for i in 0 ..< c.layerCount {
            let n = TensorNames.Block(i)
            layers.append(Layer(attention: try t.attention(n, c, queryKeyNorm: family.queryKeyNorm),
                                feedForward: try t.feedForward(n, c, fusedGateUp: family.fusedGateUp)))
        }
        self.layers = layers
    }
}
