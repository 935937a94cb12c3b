import KingletKernels

/// Read-only Gemma 3 weights: views into the memory-mapped file, never copied. The norm weights
/// are used as stored: llama.cpp's converter already added Gemma's +1 (`Gemma3RMSNorm` scales by
/// 1 + w).
struct Gemma3Weights: @unchecked Sendable {
    struct Layer {
        let attention: AttentionWeights                // norm [D], q [H·Dh, D], k, v [Hkv·Dh, D], o [D, H·Dh], Q/K norms [Dh]
        let postAttentionNorm: UnsafePointer<Float>    // [D]
        let feedForward: FeedForwardWeights            // norm [D], gate, up [F, D], down [D, F]
        let postFeedForwardNorm: UnsafePointer<Float>  // [D]
    }

    let embeddings: EmbeddingWeights  // token embedding [V, D], output norm [D], head [V, D] (tied in Gemma 3)
    let layers: [Layer]

    init(_ t: TensorLoader, _ c: ModelConfig) throws(ModelError) {
        let D = c.embeddingSize
        embeddings = try t.embeddings(c)
        var layers: [Layer] = []
        for i in 0 ..< c.layerCount {
            let n = TensorNames.Block(i)
            layers.append(Layer(
                attention: try t.attention(n, c, queryKeyNorm: true),
                postAttentionNorm: try t.vector(n.postAttentionNorm, count: D),
                feedForward: try t.feedForward(n, c),
                postFeedForwardNorm: try t.vector(n.postFeedForwardNorm, count: D)))
        }
        self.layers = layers
    }
}
