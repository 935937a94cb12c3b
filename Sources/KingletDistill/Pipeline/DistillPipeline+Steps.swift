import Foundation
import KingletGGUF
import KingletRuntime
import KingletTokenizer
import KingletTraining

/// The stages of `DistillPipeline.run`, one method each, configured from the pipeline's settings.
extension DistillPipeline {
    /// Stage 1: the teacher's samples (and its scores, kept as it samples) in `dataDirectory`;
    /// with a budget, no new chunk starts after the teacher's share of it.
    public var generationJob: DistillGenerationJob {
        let c = configuration
        var job = DistillGenerationJob(teacher: .local(model: c.teacher, threads: c.threads, scoreTopK: c.scoreTopK),
                                       prompts: .preset(c.preset, count: c.count), directory: dataDirectory)
        job.settings.maxTokens = c.maxTokens
        job.concurrency = c.teacherConcurrency
        job.maxMinutes = c.budgetMinutes.map(DistillBudget.teacherMinutes)
        job.store = store
        return job
    }

    /// Runs stage 1 (`generationJob`).
    @discardableResult
    public func generate(events: @escaping DistillEventHandler = { _ in }) async throws -> DistillSummary {
        try await generationJob.run(events: events)
    }

    /// Stage 2: scores for the samples that came without them.
    public var scoringJob: DistillScoringJob {
        var job = DistillScoringJob(teacher: configuration.teacher, dataDirectory: dataDirectory)
        job.topK = configuration.scoreTopK
        job.threads = configuration.threads
        job.store = store
        return job
    }

    /// Runs stage 2 (`scoringJob`).
    @discardableResult
    public func score(events: @escaping DistillEventHandler = { _ in }) throws -> DistillScoringJob.Summary {
        try scoringJob.run(events: events)
    }

    /// With a budget, the saved plan or a new one fitted to the time left since `started`
    /// (`DistillBudget`; `onPolicy`: the KD runs' on-policy rounds to pay for), and the held-out
    /// batches an evaluation reads; nil without a budget.
    public func budgetPlan(started: Date, onPolicy: OnPolicyCost? = nil, events: @escaping DistillEventHandler = { _ in })
        throws -> (budget: DistillBudget, validationBatches: Int)? {
        let c = configuration
        guard let budgetMinutes = c.budgetMinutes else { return nil }
        let teacherPath = try store.resolve(c.teacher) { events(.message($0)) }
        let vocabulary = try Tokenizer(gguf: GGUFFile(path: teacherPath.path)).vocabularySize
        let shape = try studentShape()
        let held = try DistillTrainingJob.sequences(dataDirectory: dataDirectory, length: c.seq,
                                                    validationFraction: c.validationFraction).validation.count
        let validationBatches = (min(held, DistillTrainingJob.defaultMaxValidationSamples) + c.effectiveBatch - 1) / c.effectiveBatch
        let plan = try DistillBudget.plan(in: directory, budgetMinutes: budgetMinutes, started: started, runs: 2 * c.seeds,
                                          validationBatches: validationBatches, onPolicy: onPolicy) {
            try DistillBudget.measureStep(shape: shape, vocabularySize: vocabulary, batch: c.effectiveBatch, seq: c.seq, threads: c.threads,
                                          roundedTo: roundedType(teacherPath: teacherPath),
                                          frozenLayers: try trainSettings(seed: 0, steps: 1).frozenLayers)
        }
        events(.planned(plan, budgetMinutes: budgetMinutes, file: DistillBudget.url(in: directory)))
        return (plan, validationBatches)
    }

    /// The steps of seed `seed`'s two runs: `configuration.steps` without a budget; with one, the
    /// plan's for the first seed and a re-fit to the time left for later ones (`SeedSteps`),
    /// saved so that a resumed pair keeps them.
    func steps(forSeed seed: Int, plan: (budget: DistillBudget, validationBatches: Int)?, started: Date,
               seedSteps: inout SeedSteps, events: DistillEventHandler) throws -> Int {
        guard let plan, let budgetMinutes = configuration.budgetMinutes else { return configuration.steps }
        if let saved = seedSteps.steps[seed] { return saved }
        let steps: Int
        if seed == 0 {
            steps = plan.budget.steps
        } else {
            let left = budgetMinutes * 60 - Date().timeIntervalSince(started)
            steps = SeedSteps.fit(plan.budget, secondsLeft: left, pairsLeft: configuration.seeds - seed,
                                  correction: seedSteps.correction, validationBatches: plan.validationBatches)
            events(.message(String(format: "seed %d: %.0f s left for %d pair(s); the last pair took %.2f× its prediction → %d steps",
                                   seed, left, configuration.seeds - seed, seedSteps.correction, steps)))
        }
        seedSteps.steps[seed] = steps
        try seedSteps.save(in: directory)
        return steps
    }

    /// Stage 3, one run: the student's training settings for `seed` and `steps`.
    public func trainSettings(seed: Int, steps: Int) throws -> TrainSettings {
        let c = configuration
        let shape = try studentShape()
        var s = TrainSettings(steps: steps, batch: c.effectiveBatch, length: c.seq, preset: c.student.runName, shape: shape)
        s.initialWeights = initialWeightsURL?.path
        s.learningRate = c.effectiveLearningRate
        s.warmup = min(max(steps / 10, 1), steps)
        s.adam.weightDecay = 0.1
        s.gradientClip = 1
        s.seed = UInt64(seed)
        // Halfway (rounded up: with an odd count, `steps / 2` would evaluate and checkpoint again
        // one step before the end) and at the end (and on Ctrl-C): a checkpoint of an
        // 85M-parameter student with its moments is 1 GB, several seconds to write and flush.
        s.evalEvery = Self.halfway(steps)
        s.evalBatches = 4
        s.checkpointEvery = Self.halfway(steps)
        if case .pruned = c.student, c.freezeUntouched {
            let url = studentInitDirectory.appendingPathComponent("prune.json")
            do { s.frozenLayers = try PrunePlan.read(from: url).untouchedLayers } catch {
                throw PretrainedWeightsError.unsupported(path: url.path, what: "an unreadable pruning plan (\(error.localizedDescription))",
                                                         hint: "delete the student-init directory to prune the teacher again")
            }
        }
        return s
    }

    /// Stage 3, one run: the job for a KD run or its baseline with `seed`, resuming from a
    /// checkpoint when there is one.
    public func trainingJob(_ kind: DistillTrainingJob.Kind, seed: Int, steps: Int, teacherPath: URL) throws -> DistillTrainingJob {
        let run = runDirectory(kind, seed: seed)
        var job = DistillTrainingJob(
            dataDirectory: dataDirectory, scoresDirectory: dataDirectory.appendingPathComponent("scores"), teacherPath: teacherPath,
            runDirectory: run, name: run.lastPathComponent, kind: kind, settings: try trainSettings(seed: seed, steps: steps),
            distillation: DistillationSettings(alpha: configuration.effectiveAlpha, temperature: configuration.temperature))
        job.validationFraction = configuration.validationFraction
        job.threads = configuration.threads
        job.resume = FileManager.default.fileExists(atPath: run.appendingPathComponent("checkpoint.gguf").path)
        if configuration.student.isPretrained {
            // A student cut from the teacher ships in the teacher's own quantization. Healing moves
            // weights by less than a 4-bit step, and rounding afterwards undoes much of it (Q8_0
            // top-1 0.635 against 0.450 at Q4_1 after the default run), so the steps train on the
            // rounded weights (`quantizationAwareShare`: all of them by default). Without that, or
            // for a Q8_0/F16 teacher, it ships as Q8_0 with a copy in the teacher's type beside it.
            if let type = roundedType(teacherPath: teacherPath) {
                job.exports = []
                job.quantizationAware = type
                job.quantizationAwareSteps = max(Int((Double(steps) * configuration.quantizationAwareShare).rounded()), 1)
            } else {
                job.exports = [.q8_0]
                job.alsoQuantizedAs = Self.fileType(of: teacherPath).flatMap { $0 == .q8_0 ? nil : $0 }
            }
        }
        return job
    }

    /// The halfway step of a run of `steps`, rounded up, so that its multiples below `steps` are
    /// the halfway one alone.
    static func halfway(_ steps: Int) -> Int { max((steps + 1) / 2, 1) }

    /// The file type a KD run's steps round to, and its student ships in: the teacher's, for a
    /// student starting from trained weights, a block-quantized teacher other than Q8_0 and a
    /// quantization-aware share above 0; nil otherwise (full precision, shipped as Q8_0).
    func roundedType(teacherPath: URL) -> QuantizeFileType? {
        guard configuration.student.isPretrained, configuration.quantizationAwareShare > 0,
              let type = Self.fileType(of: teacherPath), type != .q8_0, type.defaultType.blockSize > 1 else { return nil }
        return type
    }

    /// The llama.cpp file type of the model at `url` (`general.file_type`), when `kinglet quantize` can make it.
    static func fileType(of url: URL) -> QuantizeFileType? {
        guard let v = (try? GGUFFile(path: url.path))?.metadata["general.file_type"]?.intValue else { return nil }
        return QuantizeFileType.allCases.first { Int($0.llamaFileType) == v }
    }

    /// Stage 3, one run: trains (or resumes), evaluates and exports it.
    @discardableResult
    public func train(_ kind: DistillTrainingJob.Kind, seed: Int, steps: Int,
                      events: @escaping DistillEventHandler = { _ in }) throws -> EvalFigures {
        let teacherPath = try store.resolve(configuration.teacher) { events(.message($0)) }
        return try trainingJob(kind, seed: seed, steps: steps, teacherPath: teacherPath).run(events: events)
    }

    /// Stage 4: the report over `runs` (default: every run of the configured seeds), with the
    /// teacher's figures when `teacherFiguresURL` holds them.
    @discardableResult
    public func report(runs: [URL]? = nil, events: DistillEventHandler = { _ in }) throws -> (html: URL, json: URL) {
        let all = runs ?? (0 ..< configuration.seeds).flatMap { seed in [runDirectory(.kd, seed: seed), runDirectory(.baseline, seed: seed)] }
        let teacher = FileManager.default.fileExists(atPath: teacherFiguresURL.path) ? teacherFiguresURL : nil
        let start = studentInitDirectory.appendingPathComponent("eval.json")
        return try DistillReport.write(runDirectories: all, html: reportURL, teacherFigures: teacher,
                                       untrainedStudent: FileManager.default.fileExists(atPath: start.path) ? start : nil, events: events)
    }
}
