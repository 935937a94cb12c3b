import Foundation
import KingletRuntime

/// Stage 1 as one call: prompts → teacher completions → `DIR/samples.jsonl`, resumable (a rerun
/// skips the samples already there). A local teacher also writes its scores to `DIR/scores` as
/// it samples, and so does a remote one asked for `top_logprobs` (`RemoteReply`).
public struct DistillGenerationJob: Sendable {
    /// Which prompts to complete.
    public enum Prompts: Sendable, Equatable {
        /// A built-in preset (`PromptPreset.named`); `count` nil: `defaultPresetCount`. The run's
        /// seed picks the prompts.
        case preset(String, count: Int? = nil)
        /// A JSONL file; `count` nil: all, else the first `count`.
        case file(URL, count: Int? = nil)
    }

    /// Prompts taken from a preset when no count is given.
    public static let defaultPresetCount = 1000

    public var teacher: TeacherSource
    public var prompts: Prompts
    /// A system message before each prompt (replaces a preset's; files: before `{"prompt"}` lines).
    public var system: String?
    public var settings = GenerationSettings()
    /// Sequences decoded together (local) or requests in flight (remote).
    public var concurrency = 8
    /// No new chunk of prompts starts after this many minutes (nil: none); a rerun continues.
    public var maxMinutes: Double?
    /// The dataset directory (created).
    public var directory: URL
    /// Complete only this shard's part of the distinct prompts (nil: all), for a job split
    /// across machines; `directory` then gets a `shard.json` for `ShardMerge`.
    public var shard: ShardSpec?
    public var store = ModelStore()

    public init(teacher: TeacherSource, prompts: Prompts, directory: URL) {
        self.teacher = teacher
        self.prompts = prompts
        self.directory = directory
    }

    /// Requests per teacher call: enough to keep a batching teacher's slots busy.
    public var chunkSize: Int { max(32, 4 * concurrency) }

    /// Where the scores that come with the samples go.
    public var scoresDirectory: URL { directory.appendingPathComponent("scores") }

    /// The prompts, read and checked.
    public func loadPrompts() throws -> [DistillPrompt] {
        switch prompts {
        case let .preset(name, count):
            return try PresetPromptSource(preset: try PromptPreset.named(name), count: count ?? Self.defaultPresetCount,
                                          seed: settings.seed, system: system).prompts()
        case let .file(url, count):
            let all = try JSONLPromptSource(url: url, system: system).prompts()
            return count.map { Array(all.prefix($0)) } ?? all
        }
    }

    /// Reads the prompts, loads the teacher and generates what the dataset lacks.
    public func run(events: @escaping DistillEventHandler = { _ in }) async throws -> DistillSummary {
        var list = try loadPrompts()
        let teacher = try teacher.makeTeacher(concurrency: concurrency, store: store, events: events)
        if let shard {
            let plan = try shardPlan(list, shard: shard, teacher: teacher)
            try plan.manifest.claim(directory)
            list = plan.prompts
            events(.shardSelected(shard, items: list.count, of: plan.manifest.job.total))
        }
        let dataset = DistillDataset(directory: directory)
        var generator = DistillGenerator(teacher: teacher, dataset: dataset, settings: settings, chunkSize: chunkSize)
        generator.deadline = maxMinutes.map { Date(timeIntervalSinceNow: $0 * 60) }
        events(.generationStarted(teacher: teacher.name, prompts: list.count, samples: dataset.samplesURL))
        var scores: TeacherScoreWriter?
        let vocabulary = teacherVocabulary(teacher)
        if let k = vocabulary.scoreTopK {
            scores = try TeacherScoreWriter(directory: scoresDirectory, k: k, vocabularySize: vocabulary.size,
                                            tokenizerFingerprint: vocabulary.fingerprint)
            events(.scoringWhileGenerating(k: k, directory: scoresDirectory))
        }
        let summary = try await generator.run(list, scores: scores) { events(.generationProgress($0)) }
        events(.generated(summary))
        return summary
    }
}

extension DistillGenerationJob {
    /// The teacher's vocabulary (fingerprint and size; 0 for a teacher of neither kind) and the k
    /// of the scores its completions bring: a local teacher's `scoreTopK`, a remote one's
    /// `top_logprobs` (nil: none).
    func teacherVocabulary(_ teacher: any Teacher) -> (fingerprint: UInt64, size: Int, scoreTopK: Int?) {
        if let local = teacher as? LocalTeacher {
            return (VocabularyFingerprint.of(local.engine.tokenizer), local.engine.config.vocabularySize, local.scoreTopK)
        }
        if let remote = teacher as? RemoteTeacher {
            let tokenizer = remote.tokenizer.tokenizer
            return (VocabularyFingerprint.of(tokenizer), tokenizer.vocabularySize, settings.topLogprobs.flatMap { $0 >= 1 ? $0 : nil })
        }
        return (0, 0, nil)
    }
}
