import Foundation
import KingletTokenizer
import KingletRuntime

/// Builds score records from a remote teacher's OpenAI-style `top_logprobs`.
public enum ScoreRecordBuilder {
    /// Converts one `top_logprobs` list per generated token into a record with `k` entries per
    /// position, each list as `PositionScores.Row(alternatives:k:vocabularySize:tokenID:)` reads it.
    /// - Parameter topLogprobs: [P] lists, P = `sequence.scoredPositions.count`.
    public static func fromTopLogprobs(
        sequence: ScoredSequence, topLogprobs: [[TeacherLogprob]], k: Int, vocabularySize: Int,
        tokenID: (String) -> Int32?
    ) throws(ScoreError) -> ScoreRecord {
        try sequence.validate(vocabularySize: vocabularySize)
        let P = sequence.scoredPositions.count
        guard topLogprobs.count == P else {
            throw .topLogprobsMismatch(id: sequence.id, expectedPositions: P, found: topLogprobs.count)
        }
        var scores = PositionScores(k: k)
        for list in topLogprobs { scores.append(.init(alternatives: list, k: k, vocabularySize: vocabularySize, tokenID: tokenID)) }
        guard let record = scores.record(for: sequence) else { preconditionFailure("one row per scored position was appended") }
        return record
    }

    /// `fromTopLogprobs` with the teacher's tokenizer resolving token strings (`tokenID(for:tokenizer:)`).
    public static func fromTopLogprobs(
        sequence: ScoredSequence, topLogprobs: [[TeacherLogprob]], k: Int, tokenizer: Tokenizer
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

extension PositionScores.Row {
    /// One position of a remote teacher's `top_logprobs`. Token strings become ids through
    /// `tokenID`; a string it does not know (or an id outside the vocabulary, a duplicate id, a NaN
    /// or −∞ log-probability) is dropped, and its mass goes to the tail: tail = 1 − Σ exp(kept),
    /// clamped to ≥ `TopKLogSoftmax.minimumTailMass`. Positive log-probabilities (rounding at the
    /// server) are clamped to 0. Kept entries are sorted most likely first (ties: lower id), the k
    /// most likely kept and padded to k. An empty list leaves all the mass in the tail.
    public init(alternatives: [TeacherLogprob], k: Int, vocabularySize: Int, tokenID: (String) -> Int32?) {
        precondition(k >= 1, "k must be positive")
        var kept: [(id: Int32, logprob: Double)] = []
        for entry in alternatives {
            guard !entry.logprob.isNaN, entry.logprob > -.infinity,
                  let id = tokenID(entry.token), id >= 0, Int(id) < vocabularySize,
                  !kept.contains(where: { $0.id == id }) else { continue }
            kept.append((id, min(entry.logprob, 0)))
        }
        kept.sort { $0.logprob != $1.logprob ? $0.logprob > $1.logprob : $0.id < $1.id }
        if kept.count > k { kept.removeLast(kept.count - k) }
        let mass = kept.reduce(0.0) { $0 + exp($1.logprob) }
        ids = (0 ..< k).map { $0 < kept.count ? kept[$0].id : ScoreRecord.paddingID }
        logprobs = (0 ..< k).map { $0 < kept.count ? Float(kept[$0].logprob) : -.infinity }
        tailLogMass = Float(log(max(1 - mass, TopKLogSoftmax.minimumTailMass)))
    }
}
