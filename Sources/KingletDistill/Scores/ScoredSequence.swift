import KingletTokenizer

/// One sample to score: a prompt followed by its completion, as teacher token ids.
///
/// The positions that predict completion tokens are `promptLength - 1 ..< tokens.count - 1`
/// (position t holds the teacher's distribution over x[t+1]).
public struct ScoredSequence: Sendable, Equatable {
    /// The sample's id in the dataset (a hex content hash).
    public var id: String
    /// Prompt + completion token ids.
    public var tokens: [Int32]
    /// How many of `tokens` are the prompt (≥ 1).
    public var promptLength: Int

    public init(id: String, tokens: [Int32], promptLength: Int) {
        self.id = id
        self.tokens = tokens
        self.promptLength = promptLength
    }

    /// Positions whose next token is a completion token; empty when there is no completion.
    public var scoredPositions: Range<Int> {
        let lo = max(promptLength - 1, 0), hi = tokens.count - 1
        return lo < hi ? lo ..< hi : lo ..< lo
    }

    /// FNV-1a (64-bit) over `promptLength` (UInt32, little-endian) and then every token (Int32,
    /// little-endian): a changed prompt/completion split is a changed sample too.
    public var contentHash: UInt64 {
        var h = FNV1a()
        h.add(UInt32(truncatingIfNeeded: promptLength))
        for t in tokens { h.add(UInt32(bitPattern: t)) }
        return h.value
    }

    /// Rejects a sequence that cannot be scored against a vocabulary of `vocabularySize`.
    public func validate(vocabularySize: Int) throws(ScoreError) {
        guard !id.isEmpty else { throw .invalidSequence(id: id, reason: "empty id") }
        guard promptLength >= 1 else {
            throw .invalidSequence(id: id, reason: "prompt length \(promptLength) (at least one prompt token is needed)")
        }
        guard promptLength <= tokens.count else {
            throw .invalidSequence(id: id, reason: "prompt length \(promptLength) exceeds the \(tokens.count) tokens")
        }
        if let bad = tokens.first(where: { $0 < 0 || Int($0) >= vocabularySize }) {
            throw .invalidSequence(id: id, reason: "token \(bad) is outside the vocabulary (size \(vocabularySize))")
        }
    }
}

/// 64-bit FNV-1a, fed little-endian words or bytes.
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(byte: UInt8) {
        value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }

    mutating func add(_ word: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { add(byte: UInt8(truncatingIfNeeded: word >> UInt32(shift))) }
    }
}

/// Identifies a vocabulary, so scores made with one tokenizer are never read with another.
public enum VocabularyFingerprint {
    /// FNV-1a (64-bit) over every token's text (UTF-8) followed by a 0 byte, in id order.
    public static func of(_ tokenizer: Tokenizer) -> UInt64 {
        of(pieces: (0 ..< tokenizer.vocabularySize).map { tokenizer.tokenText(Int32($0)) ?? "" })
    }

    /// FNV-1a (64-bit) over every piece (UTF-8) followed by a 0 byte.
    public static func of(pieces: [String]) -> UInt64 {
        var h = FNV1a()
        for p in pieces {
            for b in p.utf8 { h.add(byte: b) }
            h.add(byte: 0)
        }
        return h.value
    }
}
