import Foundation
import KingletTraining

/// On-policy samples a distillation run mixes into its batches (a later round of an on-policy
/// schedule): `OnPolicyJob`'s directory and the share λ of rows drawn from it.
public struct OnPolicyMix: Sendable, Equatable {
    /// The on-policy dataset (samples.jsonl).
    public var dataDirectory: URL
    /// The teacher's scores of it (nil: `DATA/scores`).
    public var scoresDirectory: URL?
    /// λ: the share of rows that are on-policy samples.
    public var ratio: Double

    public init(dataDirectory: URL, scoresDirectory: URL? = nil, ratio: Double) {
        self.dataDirectory = dataDirectory
        self.scoresDirectory = scoresDirectory
        self.ratio = ratio
    }
}

extension DistillTrainingJob {
    /// The training batches: `DistillBatchSource` on the teacher's samples, or — for a `kd` run
    /// with `onPolicy` set — `MixedBatchSource` over them and the on-policy samples. The baseline
    /// never mixes: it trains on the teacher's text with CE alone, and on-policy rows carry no CE.
    func batchSource(train: [ScoredSequence], store: TeacherScoreStore, settings: TrainSettings) throws -> any BatchSource {
        guard kind == .kd, let mix = onPolicy else {
            return DistillBatchSource(sequences: train, store: kind == .kd ? store : nil, batch: settings.batch,
                                      length: settings.length, seed: settings.seed)
        }
        guard distillation.alpha > 0 else {
            throw OnPolicyError.invalidSetting(name: "alpha", requirement: "above 0 when on-policy samples are mixed in (their rows have no CE)")
        }
        let scores = mix.scoresDirectory ?? mix.dataDirectory.appendingPathComponent("scores")
        let onStore = try TeacherScoreStore(directory: scores, expectedTokenizerFingerprint: store.tokenizerFingerprint)
        let onPolicy = try MixedBatchSource.onPolicySequences(in: mix.dataDirectory, store: onStore, length: settings.length)
        return try MixedBatchSource(teacher: train, teacherStore: store, onPolicy: onPolicy, onPolicyStore: onStore,
                                    ratio: mix.ratio, batch: settings.batch, length: settings.length, seed: settings.seed)
    }
}
