import KingletArchitectures

/// Named llama shapes for training from scratch. The vocabulary is the tokenizer's; parameter
/// counts below exclude the (tied) embedding, which is V·D more (12.6M at D = 256 for a 49k vocabulary).
public enum ModelPreset: String, CaseIterable, Sendable {
    /// ≈ 1.2M parameters + embeddings: D 128, 6 layers, 4 heads (2 KV), FFN 384.
    case nano
    /// ≈ 5.8M parameters + embeddings: D 256, 8 layers, 8 heads (4 KV), FFN 688.
    case micro
    /// ≈ 23M parameters + embeddings: D 512, 8 layers, 8 heads (4 KV), FFN 1376.
    case mini

    /// The llama configuration for a vocabulary of `vocabularySize` and a context of `contextLength`.
    public func config(vocabularySize: Int, contextLength: Int) -> ModelConfig {
        switch self {
        case .nano:
            return ModelShape(dim: 128, layers: 6, heads: 4, kvHeads: 2, ffn: 384).config(vocabularySize: vocabularySize, contextLength: contextLength)
        case .micro:
            return ModelShape(dim: 256, layers: 8, heads: 8, kvHeads: 4, ffn: 688).config(vocabularySize: vocabularySize, contextLength: contextLength)
        case .mini:
            return ModelShape(dim: 512, layers: 8, heads: 8, kvHeads: 4, ffn: 1376).config(vocabularySize: vocabularySize, contextLength: contextLength)
        }
    }
}

/// A custom llama shape (the CLI's --dim/--layers/... flags).
public struct ModelShape: Sendable, Equatable {
    public var dim: Int
    public var layers: Int
    public var heads: Int
    public var kvHeads: Int
    public var ffn: Int
    public var ropeBase: Float = 10000
    public var normEpsilon: Float = 1e-5

    public init(dim: Int, layers: Int, heads: Int, kvHeads: Int, ffn: Int) {
        self.dim = dim
        self.layers = layers
        self.heads = heads
        self.kvHeads = kvHeads
        self.ffn = ffn
    }

    /// The shape of `config` (its RoPE base and norm epsilon included).
    public init(_ config: ModelConfig) {
        self.init(dim: config.embeddingSize, layers: config.layerCount, heads: config.headCount,
                  kvHeads: config.kvHeadCount, ffn: config.feedForwardSize)
        ropeBase = config.ropeFreqBase
        normEpsilon = config.rmsNormEpsilon
    }

    public func config(vocabularySize: Int, contextLength: Int) -> ModelConfig {
        ModelConfig(architecture: "llama", layerCount: layers, embeddingSize: dim, headCount: heads,
                    kvHeadCount: kvHeads, feedForwardSize: ffn, vocabularySize: vocabularySize,
                    contextLength: contextLength, ropeFreqBase: ropeBase, rmsNormEpsilon: normEpsilon)
    }
}
