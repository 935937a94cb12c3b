import Foundation
import KingletKernels

/// How `Comparison` measures.
public struct ComparisonOptions: Sendable {
    /// Perplexity context (tokens per chunk) and how many chunks (nil: as many as the text has).
    public var context = 512
    public var chunks: Int?
    /// pp and tg test lengths, and timed repetitions of each (after one warm-up round).
    public var promptTokens = 512
    public var generationTokens = 128
    public var repetitions = 3
    /// Prompts continued greedily by every model, side by side.
    public var prompts = ["The capital of France is", "Once upon a time, a small bird", "def fibonacci(n):"]
    public var continuationTokens = 32
    public var threads: Int?

    public init() {}
}

/// What a comparison is doing, for progress lines.
public enum ComparisonProgress: Sendable {
    case loading(model: String)
    case speed(round: Int, of: Int, model: String)
    case perplexity(model: String, chunk: Int, of: Int)
    case continuations(model: String)
}

/// Measures several models the same way on the same machine: file size, load time, peak
/// resident memory while generating, prompt and generation speed (the models alternate between
/// repetitions, so machine noise hits all alike), perplexity and bits per byte on one text, and
/// — against the reference, the first model unless another is named — mean KL-divergence,
/// same-top-token share and greedy continuations with their first divergence. `kinglet compare`
/// is this type plus ``ComparisonPage``.
///
/// ```swift
/// let report = try Comparison(models: [a, b, c], text: prose, textFile: "prose.txt").run { print($0) }
/// try ComparisonPage(report).html.write(toFile: "report.html", atomically: true, encoding: .utf8)
/// ```
public final class Comparison: @unchecked Sendable {
    public let models: [String]
    public let reference: Int
    public let text: String
    public let textFile: String
    public let options: ComparisonOptions
    /// Recorded in the report (the CLI passes its argument line).
    public var command = ""

    /// - Parameters:
    ///   - models: GGUF paths.
    ///   - reference: the index of the model the others are held to.
    ///   - text: the text for perplexity and KL-divergence.
    ///   - textFile: where the text came from (shown in the report).
    ///   - options: what to measure and how long.
    public init(models: [String], reference: Int = 0, text: String, textFile: String, options: ComparisonOptions = ComparisonOptions()) {
        precondition(models.indices.contains(reference), "the reference must be one of the models")
        self.models = models
        self.reference = reference
        self.text = text
        self.textFile = textFile
        self.options = options
    }

    /// Runs every measurement. `isCancelled` is read between steps and inside the perplexity runs.
    public func run(progress: (ComparisonProgress) -> Void = { _ in },
                    isCancelled: () -> Bool = { false }) throws -> ComparisonReport {
        let o = options
        // Continuations that outgrow it end early (finish reason length), as any generation would.
        let contextLength = max(o.context, o.promptTokens + o.generationTokens)
        var engines: [Engine] = []
        var loaded: [(seconds: Double, peak: Int?)] = []
        for path in models {
            if isCancelled() { throw MicroscopeError.cancelled }
            progress(.loading(model: name(path)))
            ProcessMemory.resetPeak()
            let before = ProcessMemory.resident
            var eo = EngineOptions(threads: o.threads, contextLength: contextLength)
            eo.sequences = 1
            let engine = try Engine(path: path, options: eo)
            var p = GenerateParameters()
            p.sampling.temperature = 0
            p.maxTokens = o.generationTokens
            p.ignoreEndOfGeneration = true
            try engine.run(try engine.tokens(for: .raw(o.prompts.first ?? "The")), parameters: p, onEvent: { _ in })
            let peak = ProcessMemory.peakResident.flatMap { p in before.map { p - $0 } }
            engines.append(engine)
            loaded.append((engine.loadSeconds, peak))
        }

        // Speed: round 0 warms up; then each round runs every model once, in turn.
        var pp = Array(repeating: [Double](), count: engines.count), tg = pp
        for round in 0 ... o.repetitions {
            for (i, engine) in engines.enumerated() {
                if isCancelled() { throw MicroscopeError.cancelled }
                progress(.speed(round: round, of: o.repetitions, model: name(models[i])))
                let p = try engine.benchmarkPromptRun(tokens: o.promptTokens)
                let g = try engine.benchmarkGenerationRun(tokens: o.generationTokens)
                if round > 0 {
                    pp[i].append(p)
                    tg[i].append(g)
                }
            }
        }

        // Perplexity; the reference's distributions saved to a temporary file the others read.
        let logitsPath = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-compare-\(UUID().uuidString).logits").path
        defer { try? FileManager.default.removeItem(atPath: logitsPath) }
        var quality: [Int: (PerplexityResult, Double, Int, ComparisonReport.Divergence?, String?)] = [:]
        let order = [reference] + engines.indices.filter { $0 != reference }
        for i in order {
            let engine = engines[i]
            let ppl = try Perplexity(engine: engine, options: PerplexityOptions(context: o.context, chunks: o.chunks))
            let modelName = name(models[i])
            func report(_ p: PerplexityProgress) { progress(.perplexity(model: modelName, chunk: p.chunk, of: p.chunkCount)) }
            let tokens = ppl.tokens(for: text)
            let plan = try ppl.plan(for: tokens)
            let (bpb, scored) = Self.bitsPerByteBasis(tokens: tokens, plan: plan, engine: engine)
            if i == reference {
                let r = try ppl.saveLogits(text: text, to: logitsPath, storage: .full, isCancelled: isCancelled, progress: report)
                quality[i] = (r, bpb(r.estimate), scored, nil, nil)
                continue
            }
            var note: String?
            let comparison = try Self.comparison(ppl, logitsPath: logitsPath, text: text, note: &note)
            if let comparison {
                let r = try comparison.run(isCancelled: isCancelled, progress: { report($0.perplexity) })
                let s = r.statistics
                let k99 = s.kldPercentiles.first { $0.label == "99%" || $0.label == "99.0%" }?.value ?? .nan
                let d = ComparisonReport.Divergence(meanKLD: .init(s.kld.value, s.kld.uncertainty), kld99: k99,
                                                    sameTop: .init(s.sameTop.value, s.sameTop.uncertainty),
                                                    rmsDeltaP: .init(s.rmsDeltaP.value, s.rmsDeltaP.uncertainty))
                quality[i] = (r.perplexity, bpb(r.perplexity.estimate), scored, d, nil)
            } else {
                let r = try ppl.run(tokens, plan: plan, isCancelled: isCancelled, progress: report)
                quality[i] = (r, bpb(r.estimate), scored, nil, note)
            }
        }

        // Greedy continuations, with the first character where each differs from the reference's.
        var texts: [[String]] = []
        for (i, engine) in engines.enumerated() {
            if isCancelled() { throw MicroscopeError.cancelled }
            progress(.continuations(model: name(models[i])))
            var p = GenerateParameters()
            p.sampling.temperature = 0
            p.maxTokens = o.continuationTokens
            texts.append(try o.prompts.map { prompt in
                var out = ""
                try engine.run(try engine.tokens(for: .raw(prompt)), parameters: p) { e in
                    if case .token(_, let t) = e { out += t }
                }
                return out
            })
        }

        var rows: [ComparisonReport.Model] = []
        for (i, engine) in engines.enumerated() {
            let (ppl, bpb, scored, divergence, note) = quality[i]!
            let conts = o.prompts.indices.map { k in
                ComparisonReport.Continuation(prompt: o.prompts[k], text: texts[i][k],
                                              firstDivergence: i == reference ? nil : Self.firstDifference(texts[i][k], texts[reference][k]))
            }
            rows.append(ComparisonReport.Model(
                name: engine.gguf.metadata["general.name"]?.stringValue.map { "\($0) · \(name(models[i]))" } ?? name(models[i]),
                path: models[i], architecture: engine.config.architecture, weights: engine.model.weightSummary,
                parameters: engine.config.parameterCount(tiedOutput: engine.gguf.tensorIfPresent("output.weight") == nil),
                fileBytes: (try? FileManager.default.attributesOfItem(atPath: models[i])[.size] as? Int) ?? 0,
                loadSeconds: loaded[i].seconds, peakResidentBytes: loaded[i].peak,
                promptTokensPerSecond: Self.measure(pp[i]), generationTokensPerSecond: Self.measure(tg[i]),
                perplexity: .init(ppl.estimate.perplexity, ppl.estimate.uncertainty), bitsPerByte: bpb, scoredTokens: scored,
                divergence: divergence, divergenceNote: i == reference ? "the reference" : note,
                continuations: conts, isReference: i == reference))
        }
        let date = ISO8601DateFormatter().string(from: Date())
        return ComparisonReport(command: command, date: date, machine: Self.machine(), kernels: Kernels.backendDescription,
                                threads: engines.first?.pool.threadCount ?? 0, textFile: textFile, textBytes: text.utf8.count,
                                context: o.context, chunks: quality[reference]!.0.chunks, promptTokens: o.promptTokens,
                                generationTokens: o.generationTokens, repetitions: o.repetitions, models: rows)
    }

    /// The comparison of `ppl` with the saved reference; nil (and why, in `note`) when the
    /// vocabularies differ.
    private static func comparison(_ ppl: Perplexity, logitsPath: String, text: String, note: inout String?) throws -> LogitsComparison? {
        do {
            let c = try LogitsComparison(perplexity: ppl, reference: try LogitsFileReader(path: logitsPath))
            try c.check(text: text)
            return c
        } catch {
            guard case .vocabularyMismatch(_, let file, let model, _) = error else { throw error }
            note = "vocabulary differs from the reference's (\(model) vs \(file) tokens): no KL-divergence; compare bits per byte"
            return nil
        }
    }

    private func name(_ path: String) -> String { URL(fileURLWithPath: path).lastPathComponent }

    /// The bytes of the text the plan scores, and the conversion of a mean NLL (nats per token)
    /// into bits per byte of that text.
    static func bitsPerByteBasis(tokens: [Int32], plan: ChunkPlan, engine: Engine) -> ((PerplexityEstimate) -> Double, Int) {
        var bytes = 0, count = 0
        for c in 0 ..< plan.chunkCount {
            for t in plan.targets(tokens, chunk: c) {
                bytes += engine.tokenizer.piece(t, special: false).count
                count += 1
            }
        }
        return ({ e in e.meanNLL * Double(e.count) / log(2) / Double(max(bytes, 1)) }, count)
    }

    /// The first character offset where `a` and `b` differ (nil when equal).
    static func firstDifference(_ a: String, _ b: String) -> Int? {
        var i = 0
        for (x, y) in zip(a, b) {
            if x != y { return i }
            i += 1
        }
        return a.count == b.count ? nil : i
    }

    static func measure(_ samples: [Double]) -> ComparisonReport.Measure {
        let r = BenchmarkResult(test: "", tokens: 0, samples: samples)
        return .init(r.tokensPerSecond, r.stddev)
    }

    /// The CPU's model name and core count (Linux's `/proc/cpuinfo`).
    static func machine() -> String {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = info.split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":", maxSplits: 1).last
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
        return "\(model), \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB"
    }
}
