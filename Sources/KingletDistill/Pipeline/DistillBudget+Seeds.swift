import Foundation

/// The steps of each seed's pair of runs (KD and its baseline: always the same for both, so
/// their comparison stays fair), re-fitted before each pair to the time then left. The first
/// pair takes the plan's steps; each later pair scales the plan's prediction by what the pairs
/// before it really took (start-up, evaluations, exports and steps all included), so that a
/// planner that guessed the overheads wrong still ends the pipeline on its budget instead of
/// minutes early or late. Saved in DIR/plan-seeds.json, so a resumed pair keeps its steps.
public struct SeedSteps: Codable, Sendable, Equatable {
    /// Steps of each seed's runs, by seed.
    public var steps: [Int: Int] = [:]
    /// Actual ÷ predicted seconds of the pairs trained so far (1 before any).
    public var correction: Double = 1

    public init() {}

    /// Seconds kept back for the report after the last pair.
    public static let reportReserve = 20.0

    /// DIR/plan-seeds.json.
    public static func url(in dir: URL) -> URL { dir.appendingPathComponent("plan-seeds.json") }

    public static func saved(in dir: URL) -> SeedSteps { read(in: dir) ?? SeedSteps() }

    public func save(in dir: URL) throws { try write(in: dir) }

    /// Predicted seconds of one pair of `steps` steps under `plan`'s measurements.
    public static func predictedPairSeconds(_ plan: DistillBudget, steps: Int, validationBatches: Int) -> Double {
        let evaluations = Double(DistillBudget.evaluationsPerRun * validationBatches) * plan.stepSeconds / 2
        let onPolicy = Double(steps) * (plan.onPolicy?.secondsPerStep ?? 0)   // the KD run's rounds
        return 2 * (DistillBudget.perRunOverhead + evaluations + Double(steps) * plan.stepSeconds * DistillBudget.stepMargin) + onPolicy
    }

    /// Steps for the next pair: the most whose corrected prediction fits `secondsLeft` (less the
    /// report's reserve) shared by `pairsLeft` pairs; at least `DistillBudget.minimumSteps`.
    public static func fit(_ plan: DistillBudget, secondsLeft: Double, pairsLeft: Int, correction: Double,
                           validationBatches: Int) -> Int {
        let share = (secondsLeft - reportReserve) / Double(max(pairsLeft, 1)) / max(correction, 0.1)
        let fixed = predictedPairSeconds(plan, steps: 0, validationBatches: validationBatches)
        let perStep = 2 * plan.stepSeconds * DistillBudget.stepMargin + (plan.onPolicy?.secondsPerStep ?? 0)
        return max(DistillBudget.minimumSteps, Int((share - fixed) / perStep))
    }
}
