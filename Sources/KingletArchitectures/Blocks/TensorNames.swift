/// GGUF tensor names, as llama.cpp's `LLM_TENSOR_NAMES` spells them: the one table that loading,
/// training, checkpoints and export read, so no name is written twice.
public enum TensorNames {
    public static let tokenEmbedding = "token_embd.weight"
    public static let outputNorm = "output_norm.weight"
    /// The output head; absent when it is tied to the embedding.
    public static let output = "output.weight"

    /// The tensors of block `index` (`blk.N.…`).
    public struct Block: Sendable {
        public let index: Int
        public init(_ index: Int) { self.index = index }
        private func name(_ suffix: String) -> String { "blk.\(index).\(suffix).weight" }

        public var attentionNorm: String { name("attn_norm") }
        public var query: String { name("attn_q") }
        public var key: String { name("attn_k") }
        public var value: String { name("attn_v") }
        public var attentionOutput: String { name("attn_output") }
        public var feedForwardNorm: String { name("ffn_norm") }
        public var gate: String { name("ffn_gate") }
        public var up: String { name("ffn_up") }
        public var down: String { name("ffn_down") }
    }
}

/// GGUF metadata keys of a model's hyper-parameters (`<arch>.block_count`, …): read by
/// `ModelConfig(gguf:architecture:)` and written by `ModelConfig.write(into:)`.
public enum ConfigKey: String, CaseIterable, Sendable {
    case blockCount = "block_count"
    case embeddingLength = "embedding_length"
    case feedForwardLength = "feed_forward_length"
    case headCount = "attention.head_count"
    case headCountKV = "attention.head_count_kv"
    case keyLength = "attention.key_length"
    case contextLength = "context_length"
    case ropeFreqBase = "rope.freq_base"
    case ropeDimensionCount = "rope.dimension_count"
    case rmsNormEpsilon = "attention.layer_norm_rms_epsilon"
    case vocabularySize = "vocab_size"

    /// The full key for an architecture: `llama.block_count`.
    public func key(_ architecture: String) -> String { "\(architecture).\(rawValue)" }

    /// The keys llama.cpp cannot run a model without.
    public static let required: [ConfigKey] = [.blockCount, .embeddingLength, .headCount, .feedForwardLength]
}
