import Foundation
import KingletRuntime

/// A teacher running a GGUF model in this process: many requests decode together in shared
/// forward passes (`BatchGenerator`), each with its own seeded sampler, so a request gives the
/// same completion whatever else is in the batch.
///
/// Sampling is `kinglet run`'s chain with the request's temperature, top-p and seed (top-k 40,
/// min-p 0.05), and OpenAI's penalties over the whole reply, exactly as `kinglet serve` does: a
/// request sent to `kinglet serve` serving the same file gives the same text.
public final class LocalTeacher: Teacher, @unchecked Sendable {
    public let engine: Engine
    public let name: String
    /// Sequences decoded at once.
    public let concurrency: Int
    /// When set, every completion carries the top k log-probabilities of each of its positions
    /// (`TeacherCompletion.scores`), taken from the very logits its tokens were sampled from.
    public let scoreTopK: Int?
    /// False: top-k 40 and min-p 0.05 are off, so tokens are drawn from the model's whole
    /// (temperature-scaled, top-p) distribution — a student sampled on-policy, as GKD does.
    public let truncates: Bool
    private let lock = NSLock()

    /// A teacher over a loaded engine, `concurrency` sequences at a time.
    public init(engine: Engine, name: String, concurrency: Int = 8, scoreTopK: Int? = nil, truncates: Bool = true) {
        precondition(scoreTopK.map { $0 >= 1 && $0 <= 1 << 16 } ?? true, "scoreTopK must be in 1...65536")
        self.engine = engine
        self.name = name
        self.concurrency = max(1, concurrency)
        self.scoreTopK = scoreTopK
        self.truncates = truncates
    }

    /// The runtime parameters for a request (shared with the one-at-a-time path in tests).
    public static func parameters(for r: TeacherRequest, truncates: Bool = true) -> GenerateParameters {
        var p = GenerateParameters()
        p.maxTokens = r.maxTokens
        var s = SamplingParameters(openAITemperature: r.temperature, topP: r.topP, presencePenalty: r.presencePenalty,
                                   frequencyPenalty: r.frequencyPenalty, seed: r.seed)  // as kinglet serve
        if !truncates { s.topK = 0; s.minP = 0 }
        p.sampling = s
        return p
    }

    public func complete(_ requests: [TeacherRequest],
                         onEach: @escaping @Sendable (Int, TeacherCompletion) -> Void) async throws -> [TeacherCompletion] {
        let prompts = try requests.map { try engine.tokens(for: .chat($0.messages)) }
        let jobs = zip(requests, prompts).map { r, ids in
            BatchGenerator.Job(prompt: ids, parameters: Self.parameters(for: r, truncates: truncates), logprobs: r.topLogprobs, scoreTopK: scoreTopK)
        }
        let cancelled = Flag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<[TeacherCompletion], Error>) in
                // The model runs on its own thread, never on the cooperative pool.
                let thread = Thread { [self] in
                    lock.lock()
                    defer { lock.unlock() }
                    let generator = BatchGenerator(engine: engine, width: concurrency)
                    var done = [TeacherCompletion?](repeating: nil, count: requests.count)
                    do {
                        _ = try generator.run(jobs, isCancelled: { cancelled.isSet }) { i, out in
                            let completion = Self.completion(out, prompt: prompts[i], logprobs: requests[i].topLogprobs != nil)
                            done[i] = completion
                            onEach(i, completion)
                        }
                        c.resume(returning: done.map { $0! })
                    } catch {
                        c.resume(throwing: error)
                    }
                }
                thread.stackSize = 8 << 20
                thread.start()
            }
        } onCancel: {
            cancelled.set()
        }
    }

    static func completion(_ out: BatchGenerator.Output, prompt: [Int32], logprobs: Bool) -> TeacherCompletion {
        TeacherCompletion(
            text: out.text, promptTokens: prompt.map(Int.init), completionTokens: out.tokens.map(Int.init),
            finishReason: out.finishReason == .length ? "length" : "stop",
            topLogprobs: logprobs ? out.logprobs.map { $0.top.map { TeacherLogprob(token: $0.text, logprob: Double($0.logprob)) } } : nil,
            scores: out.scores)
    }
}

/// A thread-safe one-way flag.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
