/// How a tokenized text is cut for perplexity, exactly as llama.cpp's `llama-perplexity` does:
/// non-overlapping chunks of `context` tokens, each evaluated from an empty cache with its first
/// token replaced by BOS when the model adds one; only the second half is scored: the logits at
/// positions `first ..< context − 1` (first = context / 2) predict tokens `first + 1 ..< context`,
/// so each chunk scores `context − 1 − first` tokens.
public struct ChunkPlan: Sendable, Equatable {
    /// Tokens per chunk.
    public let context: Int
    /// Chunks evaluated.
    public let chunkCount: Int

    /// A plan of `chunkCount` chunks of `context` tokens (the caller holds that many tokens).
    public init(context: Int, chunkCount: Int) throws(MicroscopeError) {
        guard context >= 4 else { throw .contextTooSmall(context: context) }
        self.context = context
        self.chunkCount = chunkCount
    }

    /// llama.cpp's plan for a text of `tokenCount` tokens: ⌊tokens / context⌋ chunks, at most
    /// `chunks` of them; a text shorter than two chunks is refused, as llama.cpp refuses it.
    public static func forText(tokenCount: Int, context: Int, chunks: Int? = nil) throws(MicroscopeError) -> ChunkPlan {
        guard context >= 4 else { throw .contextTooSmall(context: context) }
        guard tokenCount >= 2 * context else { throw .textTooShort(tokens: tokenCount, context: context) }
        let all = tokenCount / context
        return try ChunkPlan(context: context, chunkCount: min(all, max(chunks ?? all, 1)))
    }

    /// The first scored position (its logits predict the token after it).
    public var first: Int { context / 2 }
    /// Tokens scored per chunk.
    public var scoredPerChunk: Int { context - 1 - first }
    /// Tokens scored in all.
    public var scoredCount: Int { scoredPerChunk * chunkCount }
    /// Tokens the plan covers (`chunkCount × context`).
    public var tokenCount: Int { chunkCount * context }

    /// The tokens the model is fed for `chunk`: positions 0 ..< context − 1 (the last token is
    /// only a target), the first replaced by `bos` when given.
    public func input(_ tokens: [Int32], chunk: Int, bos: Int32?) -> [Int32] {
        let start = chunk * context
        var ids = Array(tokens[start ..< start + context - 1])
        if let bos { ids[0] = bos }
        return ids
    }

    /// The tokens the scored rows of `chunk` predict: positions first + 1 ..< context.
    public func targets(_ tokens: [Int32], chunk: Int) -> [Int32] {
        let start = chunk * context
        return Array(tokens[start + first + 1 ..< start + context])
    }
}
