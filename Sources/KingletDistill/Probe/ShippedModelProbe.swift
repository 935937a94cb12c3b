import Foundation
import KingletRuntime

/// Measures a shipped GGUF the way its user meets it (`ShippedFigures`):
///
/// - decode speed: `kinglet bench`'s tg test (`Engine.benchmarkGenerationRun`, 128 tokens from an
///   empty cache), the median of `repetitions` runs, timed after the answers below have warmed
///   the engine up;
/// - greedy answers (temperature 0, so the same file always gives the same text) to the held-out
///   prompts, at most `maxNewTokens` each, through `Engine.run`, the runtime's one generation loop;
/// - the teacher's perplexity of those answers: one teacher-forced pass over prompt + answer,
///   exp of the mean −log p over the answer's tokens (the end-of-generation token that ended an
///   answer is not part of it and not scored).
///
/// Cost: `repetitions × decodeTokens` (384) decode steps, at most `prompts × maxNewTokens` (512)
/// greedy steps of the model, and one teacher-forced pass per prompt: about 900 single-token steps
/// and 8 short prompt passes. Measured (debug build, 2 shared cores of an AMD EPYC): 18–23 s for the
/// 18M-parameter micro student, 37 s for the 135M SmolLM2 teacher, about a third each for the tg
/// runs, the answers and the teacher's pass; fewer `prompts`, `maxNewTokens` or `repetitions` cut it.
public struct ShippedModelProbe: Sendable {
    /// Held-out prompts answered.
    public var prompts = 8
    /// Longest answer, in tokens.
    public var maxNewTokens = 64
    /// Tokens of the decode-speed test (the 128 of tg128).
    public var decodeTokens = 128
    /// Timed decode runs after the warm-up; the median is kept.
    public var repetitions = 3
    /// Worker threads (nil: the physical cores).
    public var threads: Int?

    public init(threads: Int? = nil) {
        self.threads = threads
    }

    /// The figures of the model at `model`, its answers scored by the teacher at `teacher` (the
    /// same path: the teacher measured against itself, with one engine). `format` is recorded as is.
    public func measure(model: URL, teacher: URL, prompts: [HeldOutPrompt], format: String?) throws -> ShippedFigures {
        let t0 = Date()
        let chosen = Array(prompts.prefix(self.prompts))
        let longest = chosen.map(\.tokens.count).max() ?? 0
        let context = max(decodeTokens, longest + maxNewTokens) + 1
        let engine = try Engine(path: model.path, options: EngineOptions(threads: threads, contextLength: context))
        let judge = model.standardizedFileURL == teacher.standardizedFileURL
            ? engine : try Engine(path: teacher.path, options: EngineOptions(threads: threads, contextLength: context))

        var answers: [HeldOutAnswer] = [], nll = 0.0, scored = 0
        for p in chosen {
            let (tokens, text) = try Self.greedyAnswer(engine, prompt: p.tokens, maxNewTokens: maxNewTokens)
            answers.append(HeldOutAnswer(id: p.id, prompt: p.text, text: text))
            let (sum, n) = try Self.negativeLogLikelihood(judge, prompt: p.tokens, completion: tokens)
            nll += sum
            scored += n
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: model.path)[.size] as? Int).map(Double.init)
        // The answers just generated warmed the engine up (weights paged in); without them, one untimed run does.
        let speed = decodeTokens > 0
            ? try Self.decodeSpeed(engine, tokens: decodeTokens, repetitions: repetitions, warmUp: scored == 0) : nil
        return ShippedFigures(format: format, tg128TokensPerSecond: speed, fileBytes: size,
                              teacherPPLOfGenerations: scored > 0 ? exp(nll / Double(scored)) : nil, scoredTokens: scored,
                              seconds: Date().timeIntervalSince(t0), answers: answers)
    }

    /// Median tokens/s of `repetitions` tg runs (after one untimed run when `warmUp`).
    public static func decodeSpeed(_ engine: Engine, tokens: Int, repetitions: Int, warmUp: Bool = true) throws -> Double {
        if warmUp { _ = try engine.benchmarkGenerationRun(tokens: tokens) }
        let samples = try (0 ..< max(repetitions, 1)).map { _ in try engine.benchmarkGenerationRun(tokens: tokens) }.sorted()
        let m = samples.count / 2
        return samples.count % 2 == 1 ? samples[m] : (samples[m - 1] + samples[m]) / 2
    }

    /// The greedy completion of `prompt`: its token ids (without the end-of-generation token that
    /// ended it) and its text.
    public static func greedyAnswer(_ engine: Engine, prompt: [Int32], maxNewTokens: Int) throws -> (tokens: [Int32], text: String) {
        var p = GenerateParameters()
        p.sampling = .greedy
        p.maxTokens = maxNewTokens
        var tokens: [Int32] = [], text = ""
        try engine.run(prompt, parameters: p) { event in
            if case let .token(id, piece) = event {
                if id >= 0 { tokens.append(id) }
                text += piece
            }
        }
        return (tokens, text)
    }

    /// Σ −log p(completion[i] | prompt, completion[..<i]) under `engine`, and the count of tokens.
    public static func negativeLogLikelihood(_ engine: Engine, prompt: [Int32], completion: [Int32]) throws -> (sum: Double, count: Int) {
        guard !prompt.isEmpty, !completion.isEmpty else { return (0, 0) }
        let all = prompt + completion
        let input = Array(all.dropLast())                     // row r predicts all[r + 1]
        let vocab = engine.config.vocabularySize
        let logits = try engine.model.forward(input, state: engine.makeState(), logits: .all)  // [input.count, V]
        var sum = 0.0
        logits.withUnsafeBufferPointer { lb in
            for r in prompt.count - 1 ..< input.count {
                let row = UnsafeBufferPointer(rebasing: lb[r * vocab ..< (r + 1) * vocab])
                sum += LogitsRow(row).negativeLogLikelihood(row, token: Int(all[r + 1]))
            }
        }
        return (sum, completion.count)
    }
}
