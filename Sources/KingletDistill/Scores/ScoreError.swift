import Foundation
import KingletGGUF

/// Everything that can go wrong while scoring, writing or reading teacher scores, with where it
/// happened and what to do about it.
public enum ScoreError: Error, Sendable, Equatable, LocalizedError {
    /// A sample cannot be scored (empty id, prompt length out of range, token outside the vocabulary).
    case invalidSequence(id: String, reason: String)
    /// A record handed to the writer is inconsistent with itself or with the store.
    case invalidRecord(id: String, reason: String)
    /// A file or directory could not be read, listed or written.
    case io(path: String, reason: String)
    /// A score shard cannot be read, is not one, is of another version, or is truncated or damaged.
    case file(FileError)
    /// Two shards (or a shard and the writer) disagree on k, vocabulary size or tokenizer.
    case incompatibleShard(path: String, field: String, expected: String, found: String)
    /// The same (id, content hash) is stored twice.
    case duplicateRecord(id: String, first: String, second: String)
    /// The id is stored, but for other content: the sample changed since it was scored.
    case contentChanged(id: String, expectedHash: UInt64, storedHashes: [UInt64])
    /// A stored record's payload is out of range (id ≥ vocabulary, positive log-probability, NaN).
    case badPayload(path: String, id: String, reason: String)
    /// The teacher produced NaN or infinite logits.
    case nonFiniteLogits(id: String, position: Int)
    /// Remote top-logprobs do not line up with the completion tokens.
    case topLogprobsMismatch(id: String, expectedPositions: Int, found: Int)
    /// A directory holds no score shards.
    case noShards(directory: String)
    /// The teacher model failed.
    case model(String)

    public var errorDescription: String? {
        switch self {
        case .invalidSequence(let id, let reason):
            return "sample '\(id)' cannot be scored: \(reason). Rebuild the dataset with the teacher's tokenizer."
        case .invalidRecord(let id, let reason):
            return "score record '\(id)' is invalid: \(reason)."
        case .io(let path, let reason):
            return "\(path): \(reason.hasSuffix(".") ? String(reason.dropLast()) : reason). Check the path and its permissions."
        case .file(let e):
            return e.errorDescription
        case .incompatibleShard(let path, let field, let expected, let found):
            return "score shard \(path) has \(field) \(found), expected \(expected). Scores from another teacher or setting are in this directory; use a separate directory per teacher."
        case .duplicateRecord(let id, let first, let second):
            return "sample '\(id)' is scored in both \(first) and \(second). Two scoring runs wrote to one directory; delete one of the shards."
        case .contentChanged(let id, let expected, let stored):
            let s = stored.map { String(format: "%016llx", $0) }.joined(separator: ", ")
            return String(format: "sample '%@' changed since it was scored (content hash %016llx, stored %@). Run `kinglet distill score` again to score the new content.", id, expected, s)
        case .badPayload(let path, let id, let reason):
            return "scores of sample '\(id)' in \(path) are invalid: \(reason). Delete the shard and score again."
        case .nonFiniteLogits(let id, let position):
            return "the teacher produced non-finite logits for sample '\(id)' at position \(position). The teacher model file may be damaged."
        case .topLogprobsMismatch(let id, let expected, let found):
            return "sample '\(id)': \(found) top-logprob lists for \(expected) completion tokens. The remote completion must be the sample's completion, one list per generated token."
        case .noShards(let directory):
            return "no score shards (scores-*.kscr) in \(directory). Run `kinglet distill score` first."
        case .model(let message):
            return "teacher model: \(message)"
        }
    }
}

extension FileError.Format {
    /// Teacher score shards (`scores-NNNNN.kscr`), written by `TeacherScoreWriter`.
    public static let scoreShard = FileError.Format(
        name: "Kinglet score shard (.kscr)",
        remedy: "Delete it and score again (`kinglet distill score`): its samples are rescored.")
}
