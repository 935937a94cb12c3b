import Foundation
import KingletRuntime
import KingletTraining

/// The whole distillation in one value: teacher samples (with their scores) → any scores still
/// missing → a KD run and a CE-only baseline per seed → the report comparing them. Every stage
/// writes into `directory` and is skipped or resumed when a rerun finds its work there:
///
///     directory/data/          samples.jsonl, scores/
///     directory/plan.json      the budget plan (with `budgetMinutes`)
///     directory/kd-seedN/      run.json, metrics.jsonl, checkpoint, student-q8_0/q4_0.gguf, eval.json
///     directory/kd-seedN/onpolicy-roundR/   with `onPolicyRatio` > 0: a round's student, samples and scores
///     directory/baseline-seedN/
///     directory/teacher.json   the teacher's own decode speed, size, answers and perplexity of them
///     directory/report.html    and report.json
///
/// `run()` does the stages in order; each is also a method of its own. Progress goes to the
/// caller as `DistillEvent`s; nothing is printed.
public struct DistillPipeline: Sendable {
    /// What to distill, and how. The defaults are `kinglet distill run`'s.
    public struct Configuration: Sendable, Equatable {
        /// The teacher: a known model name (pulled on first use) or a .gguf path.
        public var teacher = KnownModel.defaultAlias
        /// The prompt preset (`PromptPreset.named`) and how many teacher samples to ask for.
        public var preset = "stories"
        public var count = 320
        /// Longest teacher completion, in tokens.
        public var maxTokens = 200
        /// Sequences the teacher decodes together.
        public var teacherConcurrency = 16
        /// Log-probabilities kept per position (while generating, and when scoring what is left).
        public var scoreTopK = 32
        /// Seeds: each trains a KD run and a baseline.
        public var seeds = 1
        /// Where the student starts: a preset shape from scratch, the teacher pruned, or a GGUF.
        public var student: StudentSpec = .pruned(PruneSpec(layers: 16))
        /// For a student cut from the teacher: keep the token embedding (the tied head) and the
        /// layers below the first cut as the teacher has them (`PrunePlan.untouchedLayers`,
        /// `TrainSettings.frozenLayers`): they compute what the teacher's do, and steps that form no
        /// gradient for them are cheaper. See `DistillRecipe.swift`.
        public var freezeUntouched = true
        /// Optimizer steps per run (with `budgetMinutes`: set from the time left instead).
        public var steps = 150
        /// Fit the pipeline into about this many minutes (`DistillBudget`); nil: no budget.
        public var budgetMinutes: Double?
        /// Sequences per step (nil: `scratchBatch`, or `pretrainedBatch` for a student starting from
        /// trained weights) and tokens per sequence.
        public var batch: Int?
        public static let scratchBatch = 8
        public static let pretrainedBatch = 1
        public var seq = 256
        /// Peak learning rate (warm-up every tenth of the steps, evaluations halfway, a checkpoint
        /// halfway); nil: `scratchLearningRate` or, for a student starting from trained weights,
        /// `pretrainedLearningRate`.
        public var learningRate: Float?
        public static let scratchLearningRate: Float = 2e-3
        public static let pretrainedLearningRate: Float = 1e-3
        /// Weight α of the distillation term (nil: `scratchAlpha`, or `pretrainedAlpha` for a student
        /// starting from trained weights), and the loss temperature.
        public var alpha: Double?
        public static let scratchAlpha = 0.5
        public static let pretrainedAlpha = 1.0
        public var temperature = 1.0
        /// For a student cut from a teacher in a 4- to 6-bit file type: the share of each run's last
        /// steps trained for that type (quantization-aware, `FakeQuantization`), after which the
        /// student ships in it; 0: train at full precision and ship Q8_0 (with a copy in the
        /// teacher's type). See `DistillRecipe.swift`.
        public var quantizationAwareShare = 1.0
        /// λ of on-policy distillation (GKD) in the KD runs: after each of `onPolicyRounds` evenly
        /// spaced steps the student samples completions for training prompts, the teacher scores
        /// them, and this share of each batch's rows comes from those samples (`OnPolicyRounds`).
        /// 0: off-policy, the teacher's samples only. The baselines never mix.
        public var onPolicyRatio = 0.0
        public var onPolicyRounds = 1
        /// Share of the samples held out (by a hash of the id).
        public var validationFraction = 0.05
        /// Worker threads (nil: the physical cores).
        public var threads: Int?
        /// Where every stage writes.
        public var directory: URL

        public init(directory: URL) {
            self.directory = directory
        }

        /// Checks the values a run needs.
        public func validate() throws(DistillPipelineError) {
            for (name, v) in [("count", count), ("maxTokens", maxTokens), ("teacherConcurrency", teacherConcurrency),
                              ("seeds", seeds), ("steps", steps), ("batch", effectiveBatch), ("seq", seq)] where v < 1 {
                throw .invalidSetting(name: name, requirement: "at least 1 (it is \(v))")
            }
            if !(1 ... 1 << 16).contains(scoreTopK) { throw .invalidSetting(name: "scoreTopK", requirement: "between 1 and 65536") }
            if let b = budgetMinutes, !(b > 0 && b.isFinite) { throw .invalidSetting(name: "budgetMinutes", requirement: "positive") }
            if let learningRate, !(learningRate > 0 && learningRate.isFinite) { throw .invalidSetting(name: "learningRate", requirement: "positive") }
            if !(0 ... 1).contains(quantizationAwareShare) {
                throw .invalidSetting(name: "quantizationAwareShare", requirement: "in [0, 1]")
            }
            if let alpha, !(0 ... 1).contains(alpha) { throw .invalidSetting(name: "alpha", requirement: "in [0, 1]") }
            if !(0 ..< 1).contains(onPolicyRatio) {
                throw .invalidSetting(name: "onPolicyRatio", requirement: "in [0, 1) (it is \(onPolicyRatio)): at 1 no batch row would be the teacher's")
            }
            if onPolicyRatio > 0, effectiveAlpha == 0 {
                throw .invalidSetting(name: "alpha", requirement: "above 0 with on-policy samples (their rows carry no CE)")
            }
            if onPolicyRounds < 1 { throw .invalidSetting(name: "onPolicyRounds", requirement: "at least 1 (it is \(onPolicyRounds))") }
            if !(temperature > 0 && temperature <= 20) { throw .invalidSetting(name: "temperature", requirement: "in (0, 20]") }
            if !(validationFraction > 0 && validationFraction < 1) {
                throw .invalidSetting(name: "validationFraction", requirement: "in (0, 1)")
            }
        }
    }

    /// What a finished pipeline left behind.
    public struct Outputs: Sendable {
        /// The training run directories, KD and baseline per seed.
        public var runs: [URL]
        /// The first KD run's shipped student (Q8_0, or the teacher's quantization for a student cut from it).
        public var student: URL
        public var report: URL
        public var reportJSON: URL
    }

    public var configuration: Configuration
    /// Where teacher models named by alias are found (and pulled).
    public var store = ModelStore()
    /// For tests: the KD runs stop at this step as Ctrl-C would stop them (checkpoint, then `.interrupted`).
    var stopKDAtStep: Int?

    public init(_ configuration: Configuration) {
        self.configuration = configuration
    }

    public var directory: URL { configuration.directory }
    /// The dataset: samples.jsonl and scores/.
    public var dataDirectory: URL { directory.appendingPathComponent("data") }
    /// A training run's directory: `kd-seedN` or `baseline-seedN`.
    public func runDirectory(_ kind: DistillTrainingJob.Kind, seed: Int) -> URL {
        directory.appendingPathComponent("\(kind.rawValue)-seed\(seed)")
    }
    public var reportURL: URL { directory.appendingPathComponent("report.html") }

    /// Every stage in order, each skipped or resumed when its work is there.
    @discardableResult
    public func run(events: @escaping DistillEventHandler = { _ in }) async throws -> Outputs {
        try configuration.validate()
        let started = Date()
        events(.message(configuration.recipe))
        events(.stage(.generate))
        try await generate(events: events)
        events(.stage(.score))
        try score(events: events)
        if case .pruned = configuration.student { events(.stage(.prune)) }
        try prepareStudent(events: events)
        try measureTeacher(events: events)
        let plan = try budgetPlan(started: started, onPolicy: try await onPolicyCost(events: events), events: events)
        var seedSteps = SeedSteps.saved(in: directory)
        var runs: [URL] = []
        for seed in 0 ..< configuration.seeds {
            let steps = try steps(forSeed: seed, plan: plan, started: started, seedSteps: &seedSteps, events: events)
            let pairStarted = Date()
            var trainedNow = 0
            for kind in [DistillTrainingJob.Kind.kd, .baseline] {
                let run = runDirectory(kind, seed: seed)
                runs.append(run)
                if isTrained(run) {
                    events(.stage(.alreadyTrained(kind, seed: seed)))
                    continue
                }
                events(.stage(.train(kind, seed: seed)))
                try await trainRun(kind, seed: seed, steps: steps, events: events)
                trainedNow += 1
            }
            if let plan, trainedNow == 2 {
                // What this pair really took against what the plan predicted: later pairs fit to it.
                let predicted = SeedSteps.predictedPairSeconds(plan.budget, steps: steps, validationBatches: plan.validationBatches)
                seedSteps.correction = Date().timeIntervalSince(pairStarted) / predicted
                try seedSteps.save(in: directory)
            }
        }
        events(.stage(.report))
        let (html, json) = try report(runs: runs, events: events)
        let teacherPath = try store.resolve(configuration.teacher) { events(.message($0)) }
        let shipped = try trainingJob(.kd, seed: 0, steps: 1, teacherPath: teacherPath).shippedFile?.url
        return Outputs(runs: runs, student: shipped ?? runDirectory(.kd, seed: 0).appendingPathComponent("student-q8_0.gguf"),
                      report: html, reportJSON: json)
    }

    /// Whether a run finished earlier (its `eval.json` is written last).
    public func isTrained(_ run: URL) -> Bool {
        FileManager.default.fileExists(atPath: run.appendingPathComponent("eval.json").path)
    }
}
