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
        /// Per-head RMSNorm of the queries / keys, [Dh] (Gemma 3, Qwen 3).
        public var queryNorm: String { name("attn_q_norm") }
        public var keyNorm: String { name("attn_k_norm") }
        public var attentionOutput: String { name("attn_output") }
        /// RMSNorm of the attention output before the residual add (Gemma 2/3).
        public var postAttentionNorm: String { name("post_attention_norm") }
        public var feedForwardNorm: String { name("ffn_norm") }
        public var gate: String { name("ffn_gate") }
        public var up: String { name("ffn_up") }
        public var down: String { name("ffn_down") }
        /// RMSNorm of the feed-forward output before the residual add (Gemma 2/3).
        public var postFeedForwardNorm: String { name("post_ffw_norm") }
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
    // Optional, read where an architecture has them (`ModelConfig.Defaults`).
    case slidingWindow = "attention.sliding_window"
    /// A period (uint32) or one flag per layer (array of bool or integers; true: sliding).
    case slidingWindowPattern = "attention.sliding_window_pattern"
    case ropeFreqBaseSliding = "rope.freq_base_swa"
    case attentionLogitSoftcap = "attn_logit_softcapping"
    case finalLogitSoftcap = "final_logit_softcapping"
    case ropeScalingFactor = "rope.scaling.factor"

    /// The full key for an architecture: `llama.block_count`.
    public func key(_ architecture: String) -> String { "\(architecture).\(rawValue)" }

    /// The keys llama.cpp cannot run a model without.
    public static let required: [ConfigKey] = [.blockCount, .embeddingLength, .headCount, .feedForwardLength]
}
