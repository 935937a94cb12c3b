import Foundation
import KingletGGUF
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

    /// The steps of each training run: `configuration.steps`, or with a budget the saved plan or
    /// a new one fitted to the time left since `started` (`DistillBudget`).
    public func stepsPerRun(started: Date, events: @escaping DistillEventHandler = { _ in }) throws -> Int {
        let c = configuration
        guard let budgetMinutes = c.budgetMinutes else { return c.steps }
        let teacherPath = try store.resolve(c.teacher) { events(.message($0)) }
        let vocabulary = try Tokenizer(gguf: GGUFFile(path: teacherPath.path)).vocabularySize
        let held = try DistillTrainingJob.sequences(dataDirectory: dataDirectory, length: c.seq,
                                                    validationFraction: c.validationFraction).validation.count
        let validationBatches = (min(held, DistillTrainingJob.defaultMaxValidationSamples) + c.batch - 1) / c.batch
        let plan = try DistillBudget.plan(in: directory, budgetMinutes: budgetMinutes, started: started, runs: 2 * c.seeds,
                                          validationBatches: validationBatches) {
            DistillBudget.measureStep(preset: c.student, vocabularySize: vocabulary, batch: c.batch, seq: c.seq, threads: c.threads)
        }
        events(.planned(plan, budgetMinutes: budgetMinutes, file: DistillBudget.url(in: directory)))
        return plan.steps
    }

    /// Stage 3, one run: the student's training settings for `seed` and `steps`.
    public func trainSettings(seed: Int, steps: Int) -> TrainSettings {
        let c = configuration
        let config = c.student.config(vocabularySize: 1, contextLength: 1)
        let shape = ModelShape(dim: config.embeddingSize, layers: config.layerCount, heads: config.headCount,
                               kvHeads: config.kvHeadCount, ffn: config.feedForwardSize)
        var s = TrainSettings(steps: steps, batch: c.batch, length: c.seq, preset: c.student.rawValue, shape: shape)
        s.learningRate = c.learningRate
        s.warmup = min(max(steps / 10, 1), steps)
        s.adam.weightDecay = 0.1
        s.gradientClip = 1
        s.seed = UInt64(seed)
        s.evalEvery = max(steps / 10, 1)
        s.evalBatches = 8
        s.checkpointEvery = max(steps / 4, 1)
        return s
    }

    /// Stage 3, one run: the job for a KD run or its baseline with `seed`, resuming from a
    /// checkpoint when there is one.
    public func trainingJob(_ kind: DistillTrainingJob.Kind, seed: Int, steps: Int, teacherPath: URL) -> DistillTrainingJob {
        let run = runDirectory(kind, seed: seed)
        var job = DistillTrainingJob(
            dataDirectory: dataDirectory, scoresDirectory: dataDirectory.appendingPathComponent("scores"), teacherPath: teacherPath,
            runDirectory: run, name: run.lastPathComponent, kind: kind, settings: trainSettings(seed: seed, steps: steps),
            distillation: DistillationSettings(alpha: configuration.alpha, temperature: configuration.temperature))
        job.validationFraction = configuration.validationFraction
        job.threads = configuration.threads
        job.resume = FileManager.default.fileExists(atPath: run.appendingPathComponent("checkpoint.gguf").path)
        return job
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
        return try DistillReport.write(runDirectories: all, html: reportURL, teacherFigures: teacher, events: events)
    }
}
