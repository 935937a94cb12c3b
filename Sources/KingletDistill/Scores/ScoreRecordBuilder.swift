import Foundation
import KingletTokenizer
import KingletRuntime

/// Builds score records from a remote teacher's OpenAI-style `top_logprobs`.
public enum ScoreRecordBuilder {
    /// One alternative of a `top_logprobs` list: the token's text and its natural-log probability.
    public struct TopLogprob: Sendable, Equatable, Codable {
        public var token: String
        public var logprob: Double
        public init(token: String, logprob: Double) {
            self.token = token
            self.logprob = logprob
        }
    }

    /// Converts one `top_logprobs` list per generated token into a record with `k` entries per
    /// position. Token strings become ids through `tokenID`; a string it does not know (or an
    /// id outside the vocabulary, a duplicate id, a NaN or −∞ log-probability) is dropped, and
    /// its mass goes to the tail: tail = 1 − Σ exp(kept), clamped to ≥ `minimumTailMass`.
    /// Positive log-probabilities (rounding at the server) are clamped to 0. Kept entries are
    /// sorted most likely first (ties: lower id) and padded to k.
    /// - Parameter topLogprobs: [P] lists, P = `sequence.scoredPositions.count`.
    public static func fromTopLogprobs(
        sequence: ScoredSequence, topLogprobs: [[TopLogprob]], k: Int, vocabularySize: Int,
        tokenID: (String) -> Int32?
    ) throws(ScoreError) -> ScoreRecord {
        precondition(k >= 1, "k must be positive")
        try sequence.validate(vocabularySize: vocabularySize)
        let P = sequence.scoredPositions.count
        guard topLogprobs.count == P else {
            throw .topLogprobsMismatch(id: sequence.id, expectedPositions: P, found: topLogprobs.count)
        }
        var ids: [Int32] = [], logprobs: [Float] = [], tails: [Float] = []
        ids.reserveCapacity(P * k)
        logprobs.reserveCapacity(P * k)
        for list in topLogprobs {
            var kept: [(id: Int32, logprob: Double)] = []
            for entry in list {
                guard !entry.logprob.isNaN, entry.logprob > -.infinity,
                      let id = tokenID(entry.token), id >= 0, Int(id) < vocabularySize,
                      !kept.contains(where: { $0.id == id }) else { continue }
                kept.append((id, min(entry.logprob, 0)))
            }
            kept.sort { $0.logprob != $1.logprob ? $0.logprob > $1.logprob : $0.id < $1.id }
            if kept.count > k { kept.removeLast(kept.count - k) }
            var mass = 0.0
            for e in kept { mass += exp(e.logprob) }
            for j in 0 ..< k {
                ids.append(j < kept.count ? kept[j].id : ScoreRecord.paddingID)
                logprobs.append(j < kept.count ? Float(kept[j].logprob) : -.infinity)
            }
            tails.append(Float(log(max(1 - mass, TopKLogSoftmax.minimumTailMass))))
        }
        return ScoreRecord(id: sequence.id, contentHash: sequence.contentHash, k: k, ids: ids, logprobs: logprobs, tailLogMass: tails)
    }

    /// `fromTopLogprobs` with the teacher's tokenizer resolving token strings (`tokenID(for:tokenizer:)`).
    public static func fromTopLogprobs(
        sequence: ScoredSequence, topLogprobs: [[TopLogprob]], k: Int, tokenizer: Tokenizer
    ) throws(ScoreError) -> ScoreRecord {
        try fromTopLogprobs(sequence: sequence, topLogprobs: topLogprobs, k: k, vocabularySize: tokenizer.vocabularySize) {
            tokenID(for: $0, tokenizer: tokenizer)
        }
    }

    /// The id of a token string as servers report it: a vocabulary piece as stored
    /// (`Ġthe`), else decoded text (` the`) that encodes to exactly one token; nil otherwise.
    public static func tokenID(for text: String, tokenizer: Tokenizer) -> Int32? {
        if let id = tokenizer.id(forTokenText: text) { return id }
        let ids = tokenizer.encode(text, addSpecial: false, parseSpecial: false)
        return ids.count == 1 ? ids[0] : nil
    }
}
