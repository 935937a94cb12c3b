/// GGUF tensor names, as llama.cpp's `LLM_TENSOR_NAMES` spells them: the one table that loading,
/// training, checkpoints and export read, so no name is written twice.
public enum TensorNames {
    public static let tokenEmbedding = "token_embd.weight"
    /// Kinglet's training checkpoints keep the optimizer's state under this prefix: not weights,
    /// never read by inference (a checkpoint also loads as a model).
    public static let trainingStatePrefix = "optimizer."
    public static let outputNorm = "output_norm.weight"
    /// The output head; absent when it is tied to the embedding.
    public static let output = "output.weight"
    /// RoPE frequency factors, [rope dims / 2] (Llama 3.x: the converter's "llama3" rope type).
    public static let ropeFrequencies = "rope_freqs.weight"
    /// LongRoPE frequency factors (Phi 3.5), [rope dims / 2]: for contexts beyond the original
    /// one, and up to it.
    public static let ropeFactorsLong = "rope_factors_long.weight"
    public static let ropeFactorsShort = "rope_factors_short.weight"

    /// The tensors of block `index` (`blk.N.…`).
    public struct Block: Sendable {
        public let index: Int
        public init(_ index: Int) { self.index = index }
        private func name(_ suffix: String, _ kind: String = "weight") -> String { "blk.\(index).\(suffix).\(kind)" }

        public var attentionNorm: String { name("attn_norm") }
        public var query: String { name("attn_q") }
        public var key: String { name("attn_k") }
        public var value: String { name("attn_v") }
        /// Q, K and V in one matrix, [H·Dh + 2·Hkv·Dh, D] (Phi 3), instead of the three above.
        public var fusedQKV: String { name("attn_qkv") }
        /// Biases of the projections (Qwen 2): [H·Dh], [Hkv·Dh], [Hkv·Dh], or fused.
        public var queryBias: String { name("attn_q", "bias") }
        public var keyBias: String { name("attn_k", "bias") }
        public var valueBias: String { name("attn_v", "bias") }
        public var fusedQKVBias: String { name("attn_qkv", "bias") }
        /// Per-head RMSNorm of the queries / keys, [Dh] (Gemma 3, Qwen 3).
        public var queryNorm: String { name("attn_q_norm") }
        public var keyNorm: String { name("attn_k_norm") }
        public var attentionOutput: String { name("attn_output") }
        /// RMSNorm of the attention output before the residual add (Gemma 2/3).
        public var postAttentionNorm: String { name("post_attention_norm") }
        public var feedForwardNorm: String { name("ffn_norm") }
        public var gate: String { name("ffn_gate") }
        /// [F, D]; Phi 3: gate and up in one [2F, D] matrix, gate rows first, and no `ffn_gate`.
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
    /// RoPE scaling (`RoPEScalingConfig`): "none", "linear", "longrope" ("yarn" is refused).
    case ropeScalingType = "rope.scaling.type"
    /// Linear scaling: positions divided by this (llama.cpp freq_scale = 1/factor).
    case ropeScalingFactor = "rope.scaling.factor"
    /// Multiplies RoPE's cos and sin (LongRoPE's magnitude correction).
    case ropeScalingAttentionFactor = "rope.scaling.attn_factor"
    /// The context the model was trained with before its context was extended (LongRoPE picks
    /// its long factors beyond it).
    case ropeScalingOriginalContext = "rope.scaling.original_context_length"

    /// The full key for an architecture: `llama.block_count`.
    public func key(_ architecture: String) -> String { "\(architecture).\(rawValue)" }

    /// The keys llama.cpp cannot run a model without.
    public static let required: [ConfigKey] = [.blockCount, .embeddingLength, .headCount, .feedForwardLength]
}
