import Foundation
import KingletKernels
import KingletTraining

/// Training batches from teacher samples: one sample per row (prompt + completion, truncated to T
/// tokens, padded), loss only on the positions that predict completion tokens, and — when a score
/// store is given — the teacher's top-k distribution for each of those positions, found by the
/// sample's id and content hash (so a reordered or filtered dataset still meets its own scores).
/// A position whose stored row lists no token has no teacher distribution (`present` false).
///
///   inputs, targets, weights  [B·T]
///   extra                     TeacherTargets [B·T, k]
public final class DistillBatchSource: BatchSource {
    public let sequences: [ScoredSequence]
    let store: TeacherScoreStore?
    public let batch: Int
    public let length: Int
    private var rng: Xoshiro256StarStar

    public init(sequences: [ScoredSequence], store: TeacherScoreStore?, batch: Int, length: Int, seed: UInt64) {
        self.sequences = sequences
        self.store = store
        self.batch = batch
        self.length = length
        rng = Xoshiro256StarStar(seed: seed)
    }

    public var state: [UInt64] { rng.state }

    public func restore(state: [UInt64]) throws { rng = try Xoshiro256StarStar(state: state) }

    public func next() throws -> TrainingBatch {
        let picks = (0 ..< batch).map { _ in sequences[Int(rng.next() % UInt64(sequences.count))] } as [ScoredSequence]
        return try Self.batch(picks, store: store, length: length)
    }

    /// Fixed validation batches over `sequences` (in order, the last one padded with empty rows).
    public static func validation(_ sequences: [ScoredSequence], store: TeacherScoreStore?, batch: Int, length: Int) throws -> [TrainingBatch] {
        try stride(from: 0, to: sequences.count, by: batch).map { Array(sequences[$0 ..< min($0 + batch, sequences.count)]) }
            .map { try Self.batch($0, store: store, length: length) }
    }

    /// Rows for `picks`; weights are 1/(counted positions) so the batch loss is a mean.
    public static func batch(_ picks: [ScoredSequence], store: TeacherScoreStore?, length T: Int) throws -> TrainingBatch {
        let rows = picks.count * T
        var inputs = [Int32](repeating: 0, count: rows), targets = inputs
        var weights = [Float](repeating: 0, count: rows)
        let k = store?.k ?? 1
        var teacher = TeacherTargets(rows: rows, k: k)
        var counted = 0
        for (b, s) in picks.enumerated() {
            let n = min(s.tokens.count - 1, T)
            let scores = try store?.scores(for: s)
            for t in 0 ..< n {
                let r = b * T + t
                inputs[r] = s.tokens[t]
                targets[r] = s.tokens[t + 1]
                guard s.scoredPositions.contains(t) else { continue }
                weights[r] = 1
                counted += 1
                if let scores {
                    let p = t - s.scoredPositions.lowerBound
                    for i in 0 ..< k {
                        teacher.ids[r * k + i] = scores.tokenID(position: p, rank: i)
                        teacher.logprobs[r * k + i] = scores.logprobs[p * k + i]
                    }
                    teacher.tailLogMass[r] = scores.tailLogMass[p]
                    // An empty row (a remote teacher's unlisted end token) is no distribution:
                    // the position trains on cross-entropy alone and is not in the KL figures.
                    teacher.present[r] = scores.tokenID(position: p, rank: 0) != ScoreRecord.paddingID
                }
            }
        }
        if counted > 0 { weights = weights.map { $0 / Float(counted) } }
        var out = TrainingBatch(batch: picks.count, length: T, inputs: inputs, targets: targets, weights: weights)
        out.teacher = teacher
        return out
    }
}
