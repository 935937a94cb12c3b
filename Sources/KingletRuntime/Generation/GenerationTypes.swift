import KingletChatTemplate

/// What to generate from.
public enum Prompt: Sendable {
    /// Text tokenized as is (special tokens recognised), no chat template.
    case raw(String)
    /// Token ids, used as is.
    case tokens([Int32])
    /// A conversation rendered with the model's chat template (generation prompt added).
    case chat([ChatMessage])
}

/// Everything that controls one generation. One struct, one entry point.
public struct GenerateParameters: Sendable {
    public var sampling = SamplingParameters()
    /// At most this many new tokens (nil: until end of generation or the context is full).
    public var maxTokens: Int? = 256
    /// Generation stops before any of these strings; they are not part of the output.
    public var stop: [String] = []
    /// Keep going past end-of-generation tokens (benchmarks).
    public var ignoreEndOfGeneration = false
    /// Tokens evaluated per forward pass while reading the prompt.
    public var promptBatchSize = 256
    /// A grammar the output must follow (nil: free text). Each sequence keeps its own grammar
    /// state; end-of-generation is sampled only where the grammar accepts, and the generation
    /// ends with `stop` once the output is complete. Ended by `maxTokens` or the context first,
    /// the finish reason is `length` and the output is incomplete. Logprobs are after masking.
    public var constraint: OutputConstraint?

    public init() {}
}

/// Why generation ended.
public enum FinishReason: String, Sendable, Codable {
    /// An end-of-generation token or a stop string.
    case stop
    /// `maxTokens` reached or the context is full.
    case length
    /// The consumer cancelled.
    case cancelled
}

/// Counts and timings of one generation.
public struct GenerationSummary: Sendable {
    /// The whole prompt, the tokens taken from a prompt cache included.
    public var promptTokens: Int
    /// Leading prompt tokens taken from the prompt cache instead of evaluated.
    public var cachedTokens: Int
    public var generatedTokens: Int
    public var promptSeconds: Double
    public var generateSeconds: Double
    public var finishReason: FinishReason
    /// The seed actually used (reproduce the run by passing it back).
    public var seed: UInt64

    /// A summary with every field given.
    public init(promptTokens: Int, generatedTokens: Int, promptSeconds: Double, generateSeconds: Double,
                finishReason: FinishReason, seed: UInt64, cachedTokens: Int = 0) {
        self.promptTokens = promptTokens
        self.cachedTokens = cachedTokens
        self.generatedTokens = generatedTokens
        self.promptSeconds = promptSeconds
        self.generateSeconds = generateSeconds
        self.finishReason = finishReason
        self.seed = seed
    }

    /// Prompt tokens evaluated (not taken from the cache) per second.
    public var promptTokensPerSecond: Double { promptSeconds > 0 ? Double(promptTokens - cachedTokens) / promptSeconds : 0 }
    /// Decode speed: tokens after the first (which comes from the prompt pass) per second.
    public var generateTokensPerSecond: Double {
        generateSeconds > 0 ? Double(max(generatedTokens - 1, 0)) / generateSeconds : 0
    }
}

/// What a generation stream yields.
public enum GenerationEvent: Sendable {
    /// A new token; `text` is the newly complete UTF-8 text (may be empty while a multi-byte
    /// character or a possible stop string is held back).
    case token(id: Int32, text: String)
    /// The end, with counts and timings.
    case finished(GenerationSummary)
}
