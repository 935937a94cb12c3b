import Foundation

/// What the distillation steps report as they work, in order, for a caller to show (the library
/// prints nothing). Generation progress arrives on the teacher's threads.
public enum DistillEvent: Sendable {
    /// A stage of `DistillPipeline.run` begins.
    case stage(DistillStage)
    /// The training budget was planned (or read back from `file`); `budgetMinutes` is the one asked for.
    case planned(DistillBudget, budgetMinutes: Double, file: URL)
    /// A line from below: a model being pulled, the trainer's log.
    case message(String)

    /// Generation: a local teacher's model is loaded (`file`: its file name).
    case teacherLoaded(file: String, seconds: Double, threads: Int, concurrency: Int)
    /// Generation: `prompts` prompts go to `teacher`; samples are appended to `samples`.
    case generationStarted(teacher: String, prompts: Int, samples: URL)
    /// Generation: a local teacher keeps its top `k` log-probabilities in `directory` as it samples.
    case scoringWhileGenerating(k: Int, directory: URL)
    /// Generation or scoring split across machines: this shard takes `items` of the job's `of` items (prompts or sequences).
    case shardSelected(ShardSpec, items: Int, of: Int)
    /// Merge: `shards` shards merged into `directory`, `items` samples (or scored sequences) in all.
    case merged(shards: Int, items: Int, scoreFiles: Int, directory: URL)
    /// Export: `samples` samples (`scored` with teacher scores) written to `files`.
    case exported(samples: Int, scored: Int, files: [URL])
    /// Generation: after each completion.
    case generationProgress(DistillProgress)
    /// Generation: done (or stopped at its deadline with prompts left: `summary.pending > 0`).
    case generated(DistillSummary)

    /// Scoring: `sequences` in the dataset, `alreadyScored` of them done earlier.
    case scoringStarted(sequences: Int, alreadyScored: Int, threads: Int, k: Int, directory: URL)
    /// Scoring: after each chunk of sequences.
    case scoringProgress(done: Int, of: Int, positions: Int, seconds: Double)
    /// Scoring: done; `shards` written now, `sequences` scored in all.
    case scored(shards: Int, sequences: Int, directory: URL)

    /// Training: a run finished; its held-out figures are in `evalFile`.
    case trained(name: String, figures: EvalFigures, evalFile: URL)

    /// Report: the page and its JSON twin are written.
    case reportWritten(html: URL, json: URL)
}

/// The stages of `DistillPipeline.run`.
public enum DistillStage: Sendable, Equatable {
    /// Teacher samples (`DistillGenerationJob`).
    case generate
    /// Scores for the samples without them (`DistillScoringJob`).
    case score
    /// The student cut from the teacher, and measured untrained.
    case prune
    /// A training run starts (or resumes from its checkpoint).
    case train(DistillTrainingJob.Kind, seed: Int)
    /// A training run is skipped: its `eval.json` is there from an earlier run.
    case alreadyTrained(DistillTrainingJob.Kind, seed: Int)
    /// The report over every run (`DistillReport.write`).
    case report
}

/// Receives `DistillEvent`s, on any thread.
public typealias DistillEventHandler = @Sendable (DistillEvent) -> Void

extension DistillSummary {
    /// Distinct prompts neither in the dataset before nor generated now (left by a deadline).
    public var pending: Int { distinct - cached - generated }
}
