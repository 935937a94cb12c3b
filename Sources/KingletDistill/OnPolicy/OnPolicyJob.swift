import Foundation
import KingletArchitectures
import KingletGGUF
import KingletRuntime
import KingletTokenizer

/// On-policy data for distillation (GKD): the student completes training-split prompts of the
/// teacher's dataset, and the teacher scores every position of those completions (top-k + tail,
/// the usual score shards). The result is a dataset directory like the teacher's —
/// `DIR/samples.jsonl` (records whose `teacher` field names the student: `student:NAME`) and
/// `DIR/scores/*.kscr` — that `MixedBatchSource` mixes into training.
///
/// Two existing stages, configured: `DistillGenerator` with the student as its "teacher" (no
/// scoring, no top-k/min-p truncation), then `DistillScoringJob` with the teacher. Both resume, so
/// a rerun (after a crash or `maxMinutes`) continues where the last one stopped.
public struct OnPolicyJob: Sendable {
    /// The student: an exported GGUF (`student-q8_0.gguf`, an F32 export) or a known model name.
    public var student: String
    /// The teacher (a known model name or a .gguf path) that scores the completions.
    public var teacher: String
    /// The teacher's dataset (samples.jsonl): the prompts come from its training split.
    public var teacherDataDirectory: URL
    /// The on-policy dataset directory (created).
    public var directory: URL
    /// Prompts to complete (fewer when the training split has fewer conversations).
    public var count: Int
    /// The held-out share of the teacher's dataset, as the training job splits it.
    public var validationFraction = 0.05
    /// Temperature 1 and top-p 1 by default: GKD samples the student as it is. The seed picks the
    /// prompts and seeds each completion.
    public var settings: GenerationSettings
    /// Sequences the student decodes together.
    public var concurrency = 8
    /// Log-probabilities the teacher keeps per position (the teacher's own shards' k, to mix).
    public var topK = 32
    /// The teacher's KV cache while scoring (F32 makes the scores match a plain log-softmax).
    public var cachePrecision: KVCache.Precision = .f16
    /// Worker threads of both models (nil: the physical cores).
    public var threads: Int?
    /// No new chunk (of generation or scoring) starts after this many minutes; a rerun continues.
    public var maxMinutes: Double?
    public var store = ModelStore()

    public init(student: String, teacher: String, teacherDataDirectory: URL, directory: URL, count: Int, seed: UInt64 = 0) {
        self.student = student
        self.teacher = teacher
        self.teacherDataDirectory = teacherDataDirectory
        self.directory = directory
        self.count = count
        var s = GenerationSettings()
        s.temperature = 1
        s.topP = 1
        s.seed = seed
        self.settings = s
    }

    /// Where the teacher's scores of the student's samples go.
    public var scoresDirectory: URL { directory.appendingPathComponent("scores") }

    /// What a run did.
    public struct Summary: Sendable {
        /// Prompts chosen from the training split.
        public var prompts: Int
        public var generation: DistillSummary
        public var scoring: DistillScoringJob.Summary
        /// Every chosen prompt has a scored on-policy sample (false: the time ran out; rerun).
        public var complete: Bool
        public var seconds: Double
    }

    /// Checks the settings before any model is loaded.
    public func validate() throws(OnPolicyError) {
        if count < 1 { throw .invalidSetting(name: "count", requirement: "at least 1 (it is \(count))") }
        if !(0 ..< 1).contains(validationFraction) {
            throw .invalidSetting(name: "validationFraction", requirement: "in [0, 1) (it is \(validationFraction))")
        }
        if !(settings.temperature > 0) {
            throw .invalidSetting(name: "temperature", requirement: "above 0: on-policy samples are drawn (it is \(settings.temperature))")
        }
        do throws(SamplingError) {  // the runtime's rules, on what the student samples with (LocalTeacher's mapping)
            try SamplingParameters(openAITemperature: settings.temperature, topP: settings.topP, presencePenalty: settings.presencePenalty,
                                   frequencyPenalty: settings.frequencyPenalty, seed: nil).validate()
        } catch {
            throw .invalidSetting(name: error.field.rawValue, requirement: "\(error.rule) (it is \(error.value))")
        }
        if settings.maxTokens < 1 { throw .invalidSetting(name: "maxTokens", requirement: "at least 1 (it is \(settings.maxTokens))") }
        if concurrency < 1 { throw .invalidSetting(name: "concurrency", requirement: "at least 1 (it is \(concurrency))") }
        if !(1 ... 1 << 16).contains(topK) { throw .invalidSetting(name: "topK", requirement: "between 1 and 65536 (it is \(topK))") }
        if let m = maxMinutes, !(m > 0) { throw .invalidSetting(name: "maxMinutes", requirement: "above 0 (it is \(m))") }
    }

    /// Samples the student on the chosen prompts (what is missing), then has the teacher score
    /// what is unscored.
    @discardableResult
    public func run(events: @escaping DistillEventHandler = { _ in }) async throws -> Summary {
        try validate()
        let started = Date()
        let deadline = maxMinutes.map { Date(timeIntervalSinceNow: $0 * 60) }
        let records = try DistillDataset(directory: teacherDataDirectory).records()
        let (choices, heldOut) = OnPolicyPrompts.select(from: records, count: count, seed: settings.seed,
                                                        validationFraction: validationFraction)
        guard !choices.isEmpty else { throw OnPolicyError.noPrompts(directory: teacherDataDirectory.path, heldOut: heldOut) }

        let studentURL = try store.resolve(student) { events(.message($0)) }
        let teacherURL = try store.resolve(teacher) { events(.message($0)) }
        let studentName = "student:" + ModelStore.modelName(student)
        try manifest(studentURL: studentURL, teacherURL: teacherURL).claim(directory)

        let engine = try Engine(path: studentURL.path, options: EngineOptions(threads: threads))
        events(.message(String(format: "student %@ loaded in %.1f s (%d threads, %d sequences at once)",
                               studentURL.lastPathComponent, engine.loadSeconds, engine.pool.threadCount, concurrency)))
        try checkCompatible(engine: engine, studentURL: studentURL, teacherURL: teacherURL, choices: choices)

        let sampler = LocalTeacher(engine: engine, name: studentName, concurrency: concurrency, truncates: false)
        var generator = DistillGenerator(teacher: sampler, dataset: DistillDataset(directory: directory), settings: settings,
                                         chunkSize: max(32, 4 * concurrency))
        generator.deadline = deadline
        events(.generationStarted(teacher: studentName, prompts: choices.count, samples: generator.dataset.samplesURL))
        let generated = try await generator.run(choices.map(\.prompt)) { events(.generationProgress($0)) }
        events(.generated(generated))

        var scoring = DistillScoringJob(teacher: teacherURL.path, dataDirectory: directory)
        scoring.topK = topK
        scoring.cachePrecision = cachePrecision
        scoring.threads = threads
        scoring.deadline = deadline
        scoring.store = store
        let scored = try scoring.run(events: events)
        let complete = generated.cached + generated.generated == generated.distinct && scored.scored >= generated.distinct
        return Summary(prompts: choices.count, generation: generated, scoring: scored, complete: complete,
                       seconds: Date().timeIntervalSince(started))
    }

    func manifest(studentURL: URL, teacherURL: URL) throws -> OnPolicyManifest {
        let bytes = (try FileManager.default.attributesOfItem(atPath: studentURL.path)[.size] as? NSNumber)?.intValue ?? -1
        return OnPolicyManifest(student: studentURL.lastPathComponent, studentBytes: bytes, teacher: teacherURL.lastPathComponent,
                                teacherData: teacherDataDirectory.standardizedFileURL.lastPathComponent, seed: settings.seed,
                                temperature: settings.temperature, topP: settings.topP, maxTokens: settings.maxTokens)
    }

    /// The teacher can score the student's samples only when they share the vocabulary and the
    /// student renders each prompt into the teacher's prompt tokens.
    func checkCompatible(engine: Engine, studentURL: URL, teacherURL: URL, choices: [OnPolicyPrompts.Choice]) throws {
        let teacherTokenizer = try Tokenizer(gguf: try GGUFFile(path: teacherURL.path))
        guard VocabularyFingerprint.of(engine.tokenizer) == VocabularyFingerprint.of(teacherTokenizer) else {
            throw OnPolicyError.vocabularyMismatch(student: studentURL.lastPathComponent, teacher: teacherURL.lastPathComponent)
        }
        for c in choices {
            let ids = try engine.tokens(for: .chat(c.prompt.messages)).map(Int.init)
            if ids != c.teacherPromptTokens {
                throw OnPolicyError.promptMismatch(student: studentURL.lastPathComponent, prompt: c.prompt.id,
                                                   studentTokens: ids.count, teacherTokens: c.teacherPromptTokens.count)
            }
        }
    }
}
