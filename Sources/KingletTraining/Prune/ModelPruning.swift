import Foundation
import KingletKernels

/// Pruning from start to end: measure the model on calibration text, choose what to keep, cut.
public enum ModelPruning {
    /// Calibration to rank on when none is given: 16 windows of 128 tokens (2,048 tokens). On 512
    /// tokens the ranking of SmolLM2-135M's layers changed with the samples, and the students healed
    /// from the rankings differed by up to 0.026 in top-1 (see `DistillRecipe`).
    public static let defaultWindowCount = 16
    public static let defaultWindowLength = 128

    /// Calibration windows: `sequences` concatenated and cut into at most `count` windows of
    /// `length` tokens (what does not fill a window is left out).
    public static func windows(from sequences: [[Int32]], length: Int, count: Int) throws(PruneError) -> [[Int32]] {
        precondition(length > 0 && count > 0)
        var stream: [Int32] = []
        for s in sequences where stream.count < length * count { stream += s }
        let n = min(count, stream.count / length)
        guard n > 0 else { throw .noCalibrationText("\(stream.count) tokens do not fill one window of \(length)") }
        return (0 ..< n).map { Array(stream[$0 * length ..< ($0 + 1) * length]) }
    }

    /// Prunes `weights` to `spec`, ranking layers and channels on `windows` (see
    /// `CalibrationStatistics`). With nothing to remove, the model comes back as it was.
    public static func prune(_ weights: PretrainedWeights, spec: PruneSpec, windows: [[Int32]],
                             pool: ThreadPool?) throws(PruneError) -> (weights: PretrainedWeights, plan: PrunePlan) {
        _ = try spec.apply(to: weights.config)
        guard let length = windows.first?.count, length > 0 else { throw .noCalibrationText("no windows") }
        let model = TrainableLlama(weights: weights, pool: pool)
        let statistics = CalibrationStatistics.measure(model, windows: windows, length: length)
        let plan = PrunePlan(spec: spec, statistics: statistics)
        return (try Pruner.prune(weights, plan: plan), plan)
    }
}

extension PrunePlan {
    /// Writes the plan as indented JSON (atomically).
    public func write(to url: URL) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        try e.encode(self).write(to: url, options: .atomic)
    }

    /// The plan written by `write(to:)`.
    public static func read(from url: URL) throws -> PrunePlan {
        try JSONDecoder().decode(PrunePlan.self, from: Data(contentsOf: url))
    }

    /// The leading layers the cut left as they were: kept in place, below the first dropped layer,
    /// with all their channels. They compute exactly what the source's first layers compute, from
    /// the same embedding (`TrainSettings.frozenLayers` can keep them, and the embedding, as they are).
    public var untouchedLayers: Int {
        guard spec.ffn == nil else { return 0 }
        return keptLayers.enumerated().prefix { $0.offset == $0.element }.count
    }
}
