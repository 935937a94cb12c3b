import Foundation
import KingletKernels
import KingletRuntime
import KingletTraining

/// How a pipeline with a time budget splits it: the teacher stages get up to `teacherShare` of
/// the budget, and the steps of every training run (KD and baseline, all seeds, the same for each
/// so the comparison stays fair) are set from a measured optimizer step so that the runs end
/// within what is left. The plan is saved in `DIR/plan.json` and reused on a rerun, so a resumed
/// pipeline keeps the step count (and learning-rate schedule) it started with.
public struct DistillBudget: Codable, Sendable, Equatable {
    /// Share of the budget the teacher stages may use before training starts.
    public static let teacherShare = 0.35
    /// Per run: start-up, checkpoint, two exports and their evaluations by the inference engine
    /// (seconds; about 30 in the 30-minute stories demo with the micro student).
    public static let perRunOverhead = 30.0
    /// Distillation's extra loss work and the progress bookkeeping over the CE step time
    /// (measured 2.25 s against 2.00 s in that demo).
    public static let stepMargin = 1.15
    /// Held-out evaluations per run: halfway, at the end, and the final one over every held-out sample.
    public static let evaluationsPerRun = 3
    /// The fewest steps a run gets when at least one fits (fewer give no curve worth reading).
    public static let minimumSteps = 10

    /// The budget the plan was made for.
    public var budgetMinutes: Double
    /// Seconds of the budget left when the plan was made (after the teacher stages).
    public var secondsLeft: Double
    /// Seconds of one measured optimizer step of the student.
    public var stepSeconds: Double
    /// Training runs sharing what is left.
    public var runs: Int
    /// Optimizer steps of each run.
    public var steps: Int
    /// With on-policy KD runs: what their sampling costs and the steps it took from each run.
    public var onPolicy: OnPolicyCost?

    enum CodingKeys: String, CodingKey {
        case budgetMinutes = "budget_minutes", secondsLeft = "seconds_left", stepSeconds = "step_seconds", runs, steps
        case onPolicy = "on_policy"
    }

    public init(budgetMinutes: Double, secondsLeft: Double, stepSeconds: Double, runs: Int, steps: Int, onPolicy: OnPolicyCost? = nil) {
        self.budgetMinutes = budgetMinutes
        self.secondsLeft = secondsLeft
        self.stepSeconds = stepSeconds
        self.runs = runs
        self.steps = steps
        self.onPolicy = onPolicy
    }

    /// `DIR/plan.json`.
    public static func url(in dir: URL) -> URL { dir.appendingPathComponent("plan.json") }

    /// Minutes the teacher stages may use of a budget of `budgetMinutes`.
    public static func teacherMinutes(of budgetMinutes: Double) -> Double { budgetMinutes * teacherShare }

    /// The arithmetic: `secondsLeft` shared by `runs` runs, each paying `perRunOverhead` and
    /// `evaluationsPerRun` held-out evaluations of `validationBatches` batches (each about half a
    /// step: the forward pass and the per-row figures over the whole vocabulary), the rest in
    /// steps of `stepSeconds × stepMargin`; at least `minimumSteps`. Throws when not one step fits.
    ///
    /// With `onPolicy`, each KD run also pays `onPolicy.secondsPerStep` per step for its rounds'
    /// sampling and scoring. KD and baseline keep equal steps, so that cost is shared by the pair
    /// (half of it on each run's step), and `onPolicy.stepsWithout` keeps what λ = 0 would give.
    public static func fit(budgetMinutes: Double, secondsLeft: Double, stepSeconds: Double, runs: Int,
                           validationBatches: Int, onPolicy: OnPolicyCost? = nil) throws(DistillBudgetError) -> DistillBudget {
        precondition(runs >= 1 && stepSeconds > 0 && validationBatches >= 0, "runs, step time and batches must be positive")
        let evaluations = Double(evaluationsPerRun * validationBatches) * stepSeconds / 2
        let fixed = perRunOverhead + evaluations
        let step = stepSeconds * stepMargin + (onPolicy?.secondsPerStep ?? 0) / 2
        let perRun = secondsLeft / Double(runs) - perRunOverhead - evaluations
        guard perRun >= step else {
            let elapsed = budgetMinutes * 60 - secondsLeft
            let needed = elapsed + Double(runs) * (fixed + Double(minimumSteps) * step)
            throw .tooSmall(budgetMinutes: budgetMinutes, secondsLeft: secondsLeft, runs: runs,
                            secondsPerRun: fixed + step, suggestedMinutes: Int((needed / 60).rounded(.up)))
        }
        var cost = onPolicy
        if cost != nil {
            cost?.stepsWithout = try fit(budgetMinutes: budgetMinutes, secondsLeft: secondsLeft, stepSeconds: stepSeconds, runs: runs,
                                         validationBatches: validationBatches).steps
        }
        return DistillBudget(budgetMinutes: budgetMinutes, secondsLeft: secondsLeft, stepSeconds: stepSeconds, runs: runs,
                             steps: max(minimumSteps, Int(perRun / step)), onPolicy: cost)
    }

    /// The plan saved in `dir`, if there is a readable one.
    public static func saved(in dir: URL) -> DistillBudget? { read(in: dir) }

    /// Writes `dir/plan.json` (sorted keys, indented; replaced atomically).
    public func save(in dir: URL) throws { try write(in: dir) }

    /// The saved plan, or a new one fitted to the time left since `started` with a step timed by
    /// `measureStep` (called only when there is no saved plan), and saved.
    /// With `onPolicy` (nil: off-policy), the KD runs' sampling is accounted for as `fit` says.
    public static func plan(in dir: URL, budgetMinutes: Double, started: Date, runs: Int, validationBatches: Int,
                            onPolicy: OnPolicyCost? = nil, measureStep: () throws -> Double) throws -> DistillBudget {
        if let saved = saved(in: dir) { return saved }
        let left = budgetMinutes * 60 - Date().timeIntervalSince(started)
        let plan = try fit(budgetMinutes: budgetMinutes, secondsLeft: left, stepSeconds: try measureStep(), runs: runs,
                           validationBatches: validationBatches, onPolicy: onPolicy)
        try plan.save(in: dir)
        return plan
    }

    /// Seconds of one optimizer step of a student of `shape` (random weights: the time does not
    /// depend on them; the second of two steps, the first touches memory), on weights rounded to
    /// `roundedTo` when the runs train for that file type, with `frozenLayers` as the runs have them.
    public static func measureStep(shape: ModelShape, vocabularySize: Int, batch: Int, seq: Int, threads: Int?,
                                   roundedTo: QuantizeFileType? = nil, frozenLayers: Int? = nil) throws -> Double {
        let config = shape.config(vocabularySize: vocabularySize, contextLength: seq)
        try TrainingMemory.check(config: config, batch: batch, length: seq)
        let model = TrainableLlama(config: config, seed: 1, pool: try ThreadPool.sized(threads))
        var settings = TrainSettings(steps: 2, batch: batch, length: seq, preset: "timing", shape: shape)
        settings.frozenLayers = frozenLayers
        let timer = TrainingStepTimer(model: model, settings: settings,
                                      rounding: try roundedTo.map { try FakeQuantization(layout: model.layout, fileType: $0) })
        _ = timer.run(seed: 0)
        return timer.run(seed: 1)
    }
}

/// A time budget that cannot hold the training runs.
public enum DistillBudgetError: Error, LocalizedError, Sendable, Equatable {
    /// After the teacher stages, `secondsLeft` shared by `runs` runs leaves less than the
    /// `secondsPerRun` one run needs for its fixed costs and a single step.
    case tooSmall(budgetMinutes: Double, secondsLeft: Double, runs: Int, secondsPerRun: Double, suggestedMinutes: Int)

    /// The problem alone, without the hint (for callers that phrase their own).
    public var problem: String {
        switch self {
        case let .tooSmall(budget, left, runs, perRun, _):
            return String(format: "a budget of %g minutes leaves %.0f s for %d training runs, and each needs at least %.0f s "
                          + "(start-up, evaluations, exports and one step).", budget, max(left, 0), runs, perRun)
        }
    }

    public var errorDescription: String? {
        switch self {
        case let .tooSmall(_, _, _, _, suggested):
            return problem + " Hint: allow about \(suggested) minutes or more, or train fewer runs."
        }
    }
}
