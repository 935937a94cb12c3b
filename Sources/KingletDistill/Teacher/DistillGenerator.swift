import Foundation
import KingletChatTemplate

/// The sampling settings of a generation run, turned into one request per prompt.
public struct GenerationSettings: Sendable, Equatable {
    public var maxTokens = 256
    public var temperature: Float = 0.8
    public var topP: Float = 0.95
    /// The run's seed; each prompt's sampling seed is derived from it and the prompt's content.
    public var seed: UInt64 = 0
    public var topLogprobs: Int?
    public var frequencyPenalty: Float = 0
    public var presencePenalty: Float = 0

    public init() {}

    /// The request for `messages`. Its seed depends on the run's seed and the messages only (not
    /// on the prompt's position), so a prompt gives the same sample in any file or order. Seeds
    /// are below 2³¹: every OpenAI-compatible server takes them.
    public func request(for messages: [ChatMessage]) -> TeacherRequest {
        struct SeedKey: Encodable { var seed: UInt64; var messages: [ChatMessage] }
        let digest = DistillRecord.sha256(DistillRecord.canonicalJSON(SeedKey(seed: seed, messages: messages)))
        let derived = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } & 0x7FFF_FFFF
        return TeacherRequest(messages: messages, maxTokens: maxTokens, temperature: temperature, topP: topP, seed: derived,
                              topLogprobs: topLogprobs, frequencyPenalty: frequencyPenalty, presencePenalty: presencePenalty)
    }
}

/// Where a run stands, reported after each completion.
public struct DistillProgress: Sendable {
    /// Completions generated in this run so far, of `pending`.
    public var done: Int
    public var pending: Int
    /// Prompts whose samples were already in the dataset.
    public var cached: Int
    /// Completion tokens generated in this run.
    public var tokens: Int
    public var seconds: Double

    public var tokensPerSecond: Double { seconds > 0 ? Double(tokens) / seconds : 0 }
    /// Seconds left at the rate so far (nil before the first completion).
    public var eta: Double? { done > 0 ? seconds / Double(done) * Double(pending - done) : nil }
}

/// What a run did.
public struct DistillSummary: Sendable {
    /// Prompts given, and how many were distinct requests.
    public var prompts: Int
    public var distinct: Int
    /// Requests whose samples were already in the dataset (not generated again).
    public var cached: Int
    /// Samples generated and written in this run.
    public var generated: Int
    public var promptTokens: Int
    public var completionTokens: Int
    public var seconds: Double
    /// `stop` / `length` counts of the generated samples.
    public var finishReasons: [String: Int]
    /// Bytes of a torn last line cut off when the dataset was opened.
    public var truncatedBytes: Int
    /// Samples generated without scores while scores were kept: a remote reply whose tokens were
    /// not the tokenizer's (`RemoteReply`), a local one with a logits row that was not finite.
    /// `distill score` scores them; training without scores uses cross-entropy alone for them.
    public var unscored = 0

    public var completionsPerMinute: Double { seconds > 0 ? Double(generated) * 60 / seconds : 0 }
    public var tokensPerSecond: Double { seconds > 0 ? Double(completionTokens) / seconds : 0 }
}

/// Stage 1 of distillation: prompts → teacher completions → `samples.jsonl`. Requests already in
/// the dataset (same content hash) are skipped, the rest go to the teacher in chunks; each
/// completion is appended as soon as those before it in the chunk are (so the file follows the
/// prompts' order whatever order a batch finishes in) and every chunk is fsynced, so a killed run
/// loses at most one chunk and a rerun resumes.
public struct DistillGenerator: Sendable {
    public var teacher: any Teacher
    public var dataset: DistillDataset
    public var settings: GenerationSettings
    /// Requests per `Teacher.complete` call (and per fsync). Larger keeps a batching teacher's
    /// slots busy longer; smaller loses less on a crash.
    public var chunkSize: Int
    /// No new chunk starts after this time (nil: none); a rerun continues where the run stopped.
    public var deadline: Date?

    public init(teacher: any Teacher, dataset: DistillDataset, settings: GenerationSettings, chunkSize: Int = 64) {
        self.teacher = teacher
        self.dataset = dataset
        self.settings = settings
        self.chunkSize = max(1, chunkSize)
    }

    /// Generates the samples of `prompts` missing from the dataset. With `scores`, the scores a
    /// teacher returns with its completions (`TeacherCompletion.scores`) are written there as
    /// well, one shard per chunk after the chunk's samples are synced; samples that come without
    /// them are left to `TeacherScorer`.
    public func run(_ prompts: [DistillPrompt], scores: TeacherScoreWriter? = nil,
                    progress: @escaping @Sendable (DistillProgress) -> Void = { _ in }) async throws -> DistillSummary {
        let writer = try dataset.openForAppending()
        defer { writer.close() }
        let started = Date()
        var seen = Set<String>()
        var pending: [(id: String, request: TeacherRequest)] = []
        var cached = 0
        for p in prompts {
            let request = settings.request(for: p.messages)
            let id = DistillRecord.contentID(request, teacher: teacher.name)
            guard seen.insert(id).inserted else { continue }
            if writer.contains(id) { cached += 1 } else { pending.append((id, request)) }
        }
        let tally = Tally(pending: pending.count, cached: cached, started: started)
        if !pending.isEmpty { progress(tally.progress) }
        let name = teacher.name
        let keepScores = scores != nil
        for start in stride(from: 0, to: pending.count, by: chunkSize) {
            if let deadline, Date() >= deadline { break }
            let chunk = Array(pending[start ..< min(start + chunkSize, pending.count)])
            let failure = FirstError()
            let scored = Collected<ScoreRecord>()
            let ordered = InOrder<DistillRecord>(count: chunk.count)
            do {
                _ = try await teacher.complete(chunk.map(\.request)) { i, c in
                    let record = DistillRecord(request: chunk[i].request, teacher: name, completion: c)
                    let score = keepScores ? c.scores?.record(for: record.scoredSequence) : nil
                    if let score { scored.append(score, at: i) }
                    do { try ordered.put(record, at: i) { try writer.append($0) } } catch { failure.record(error) }
                    progress(tally.add(c, unscored: keepScores && score == nil))
                }
            } catch {
                // Keep what finished before the failure, out of order if need be (a rerun resumes).
                try? ordered.drain { try writer.append($0) }
                try? writer.sync()
                try? Self.store(scored.items, in: scores)
                throw error
            }
            try writer.sync()
            try Self.store(scored.items, in: scores)
            if let e = failure.error { throw e }
        }
        return tally.summary(prompts: prompts.count, distinct: seen.count, truncatedBytes: writer.truncatedBytes)
    }
}

extension DistillGenerator {
    /// Writes a chunk's scores as one shard (after its samples are synced, so a shard never
    /// describes a sample that is not on disk).
    static func store(_ records: [ScoreRecord], in scores: TeacherScoreWriter?) throws {
        guard let scores, !records.isEmpty else { return }
        for r in records { try scores.append(r) }
        try scores.finish()
    }
}

/// Values appended by callbacks on any thread, read back in the order of their indices.
private final class Collected<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [(Int, T)] = []
    var items: [T] { lock.withLock { values.sorted { $0.0 < $1.0 }.map(\.1) } }
    func append(_ v: T, at index: Int) { lock.withLock { values.append((index, v)) } }
}

/// Hands values that arrive in any order (from callbacks on any thread) on in index order: the
/// dataset's lines follow the prompts, not which sequence of a batch happened to finish first,
/// so a run's bytes do not depend on how its prompts were batched (or sharded).
private final class InOrder<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [T?]
    private var next = 0

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    /// Stores `value` and passes on every value now ready, in order.
    func put(_ value: T, at index: Int, _ emit: (T) throws -> Void) throws {
        try lock.withLock {
            slots[index] = value
            while next < slots.count, let v = slots[next] {
                slots[next] = nil
                next += 1
                try emit(v)
            }
        }
    }

    /// Passes on whatever is still held, in index order, skipping the gaps.
    func drain(_ emit: (T) throws -> Void) throws {
        try lock.withLock {
            for i in next ..< slots.count { if let v = slots[i] { try emit(v) } }
            slots = []
            next = 0
        }
    }
}

/// Counts shared by completion callbacks on any thread.
private final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0, promptTokens = 0, completionTokens = 0, unscored = 0
    private var reasons: [String: Int] = [:]
    let pending: Int, cached: Int, started: Date

    init(pending: Int, cached: Int, started: Date) {
        self.pending = pending
        self.cached = cached
        self.started = started
    }

    var progress: DistillProgress {
        lock.withLock {
            DistillProgress(done: done, pending: pending, cached: cached, tokens: completionTokens,
                            seconds: Date().timeIntervalSince(started))
        }
    }

    func add(_ c: TeacherCompletion, unscored: Bool) -> DistillProgress {
        lock.withLock {
            done += 1
            if unscored { self.unscored += 1 }
            promptTokens += c.promptTokens.count
            completionTokens += c.completionTokens.count
            reasons[c.finishReason, default: 0] += 1
        }
        return progress
    }

    func summary(prompts: Int, distinct: Int, truncatedBytes: Int) -> DistillSummary {
        lock.withLock {
            DistillSummary(prompts: prompts, distinct: distinct, cached: cached, generated: done, promptTokens: promptTokens,
                           completionTokens: completionTokens, seconds: Date().timeIntervalSince(started),
                           finishReasons: reasons, truncatedBytes: truncatedBytes, unscored: unscored)
        }
    }
}

/// The first error thrown inside a callback that cannot throw.
private final class FirstError: @unchecked Sendable {
    private let lock = NSLock()
    private var first: Error?
    var error: Error? { lock.withLock { first } }
    func record(_ e: Error) { lock.withLock { if first == nil { first = e } } }
}
