import Foundation
import KingletKernels
import KingletTraining

/// Training batches that mix the teacher's samples with on-policy ones (GKD's λ): each row is an
/// on-policy sample with probability `ratio`, else a teacher sample, drawn from one seeded RNG whose
/// state the trainer checkpoints, so a resumed run gives the same batches.
///
/// Rows are `DistillBatchSource`'s: loss weights on completion positions only, the teacher's top-k
/// targets from each side's own score store, weights 1/(counted positions of the whole batch). On
/// an on-policy row `TeacherTargets.crossEntropyWeight` is 0: the text is the student's own, so only
/// the divergence to the teacher teaches there (use α > 0; at α = 0 such rows contribute nothing).
///
///   inputs, targets, weights  [B·T]
///   extra                     TeacherTargets [B·T, k]
public final class MixedBatchSource: BatchSource {
    public let teacherSequences: [ScoredSequence]
    public let onPolicySequences: [ScoredSequence]
    let teacherStore: TeacherScoreStore
    let onPolicyStore: TeacherScoreStore
    /// λ: the share of rows drawn from the on-policy samples.
    public let ratio: Double
    public let batch: Int
    public let length: Int
    private var rng: Xoshiro256StarStar

    /// Every on-policy sequence must be scored in `onPolicyStore` (see `onPolicySequences(in:store:length:)`).
    public init(teacher: [ScoredSequence], teacherStore: TeacherScoreStore, onPolicy: [ScoredSequence],
                onPolicyStore: TeacherScoreStore, ratio: Double, batch: Int, length: Int, seed: UInt64) throws(OnPolicyError) {
        guard (0 ... 1).contains(ratio) else { throw .invalidSetting(name: "ratio", requirement: "in [0, 1] (it is \(ratio))") }
        guard batch >= 1, length >= 1 else { throw .invalidSetting(name: "batch and length", requirement: "at least 1") }
        if ratio > 0, onPolicy.isEmpty { throw .invalidSetting(name: "onPolicy", requirement: "non-empty when the ratio is above 0") }
        if ratio < 1, teacher.isEmpty { throw .invalidSetting(name: "teacher", requirement: "non-empty when the ratio is below 1") }
        guard teacherStore.k == onPolicyStore.k else { throw .topKMismatch(teacher: teacherStore.k, onPolicy: onPolicyStore.k) }
        if let s = onPolicy.first(where: { !onPolicyStore.contains(id: $0.id, contentHash: $0.contentHash) }) {
            throw .unscored(id: s.id, directory: onPolicyStore.directory.path)
        }
        teacherSequences = teacher
        onPolicySequences = onPolicy
        self.teacherStore = teacherStore
        self.onPolicyStore = onPolicyStore
        self.ratio = ratio
        self.batch = batch
        self.length = length
        rng = Xoshiro256StarStar(seed: seed)
    }

    public var state: [UInt64] { rng.state }

    public func restore(state: [UInt64]) throws { rng = try Xoshiro256StarStar(state: state) }

    /// One row's draw: whether it is on-policy, and which sample.
    struct Pick { var onPolicy: Bool; var index: Int }

    /// The next `batch` draws (advances the RNG). The coin is tossed only for 0 < λ < 1 and the
    /// sample is drawn as `DistillBatchSource` draws it, so λ = 0 gives its batches exactly.
    func nextPicks() -> [Pick] {
        (0 ..< batch).map { _ in
            let on = ratio >= 1 || (ratio > 0 && rng.nextUnit() < ratio)
            let n = on ? onPolicySequences.count : teacherSequences.count
            return Pick(onPolicy: on, index: Int(rng.next() % UInt64(n)))
        }
    }

    public func next() throws -> TrainingBatch {
        try Self.batch(nextPicks().map { p in
            p.onPolicy ? (onPolicySequences[p.index], onPolicyStore, true) : (teacherSequences[p.index], teacherStore, false)
        }, length: length)
    }

    /// Rows for `rows` (a sample, its store, whether it is on-policy): each built as
    /// `DistillBatchSource` builds it, then the weights made one mean over the whole batch.
    static func batch(_ rows: [(ScoredSequence, TeacherScoreStore, Bool)], length T: Int) throws -> TrainingBatch {
        precondition(!rows.isEmpty, "a batch has rows")
        let k = rows[0].1.k
        var inputs: [Int32] = [], targets: [Int32] = [], weights: [Float] = []
        var teacher = TeacherTargets(rows: 0, k: k)
        for (sequence, store, onPolicy) in rows {
            let one = try DistillBatchSource.batch([sequence], store: store, length: T)
            let t = one.teacher ?? TeacherTargets(rows: T, k: k)   // always set when a store is given
            inputs += one.inputs
            targets += one.targets
            weights += one.weights.map { $0 > 0 ? 1 : 0 }
            teacher.ids += t.ids
            teacher.logprobs += t.logprobs
            teacher.tailLogMass += t.tailLogMass
            teacher.present += t.present
            teacher.crossEntropyWeight += [Float](repeating: onPolicy ? 0 : 1, count: T)
        }
        let counted = weights.reduce(0, +)
        if counted > 0 { weights = weights.map { $0 / counted } }
        var out = TrainingBatch(batch: rows.count, length: T, inputs: inputs, targets: targets, weights: weights)
        out.teacher = teacher
        return out
    }

    /// The on-policy samples of `directory` that `store` has scores for (a time-bounded job may
    /// have left some unscored), with a prompt shorter than `length`, sorted by id.
    public static func onPolicySequences(in directory: URL, store: TeacherScoreStore, length: Int) throws -> [ScoredSequence] {
        try DistillDataset(directory: directory).scoredSequences()
            .filter { $0.promptLength < length && !$0.scoredPositions.isEmpty && store.contains(id: $0.id, contentHash: $0.contentHash) }
            .sorted { $0.id < $1.id }
    }
}
