import ArgumentParser
import Foundation
import Kinglet
import KingletDistill

/// `kinglet distill generate`: prompts → teacher completions → `DIR/samples.jsonl` (resumable).
struct DistillGenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Complete prompts with a teacher model and append them to a resumable dataset (DIR/samples.jsonl).",
        discussion: """
            The teacher is a local model (--teacher, many prompts batched per forward pass) or an \
            OpenAI-compatible server (--teacher-url and --teacher-model). Prompts come from a JSONL file \
            (--prompts: {"prompt": ...} or {"messages": [...]} per line) or a preset (--preset \
            \(PromptPreset.all.map(\.name).joined(separator: ", "))). A rerun skips samples already in \
            DIR (same prompt, teacher and settings), so an interrupted run resumes where it stopped.
            """)

    @Option(help: "Local teacher: a known model name (pulled on first use) or a path to a .gguf file.")
    var teacher: String?
    @Option(name: .customLong("teacher-url"), help: "Remote teacher: base URL of an OpenAI-compatible server (e.g. http://127.0.0.1:8080).")
    var teacherURL: String?
    @Option(name: .customLong("teacher-model"), help: "Remote teacher: the model name to send.")
    var teacherModel: String?
    @Option(name: .customLong("api-key"), help: "Remote teacher: sent as 'Authorization: Bearer KEY'.")
    var apiKey: String?
    @Option(help: "Remote teacher: the model (name or .gguf) whose tokenizer and chat template give the token ids; it must be the teacher's. Default: --teacher-model.")
    var tokenizer: String?
    @Option(help: "Remote teacher: tries per request on 429, 5xx and connection errors.")
    var retries = 6

    @Option(help: "A JSONL file of prompts.")
    var prompts: String?
    @Option(help: "A built-in prompt set: \(PromptPreset.all.map(\.name).joined(separator: ", ")).")
    var preset: String?
    @Option(help: "Prompts to use (presets: default 1000; files: default all, else the first N).")
    var count: Int?
    @Option(help: "System message before each prompt (replaces a preset's; files: before {\"prompt\"} lines).")
    var system: String?

    @Option(name: .customLong("max-tokens"), help: "Stop each completion after this many tokens.")
    var maxTokens = 256
    @Option(help: "Sampling temperature; 0 means greedy.")
    var temperature: Float = 0.8
    @Option(name: .customLong("top-p"), help: "Nucleus sampling threshold (1: off).")
    var topP: Float = 0.95
    @Option(name: .customLong("frequency-penalty"), help: "OpenAI frequency penalty (0: off; ~0.3 curbs a tiny teacher's loops).")
    var frequencyPenalty: Float = 0
    @Option(name: .customLong("presence-penalty"), help: "OpenAI presence penalty (0: off).")
    var presencePenalty: Float = 0
    @Option(help: "Run seed (each prompt's sampling seed derives from it and the prompt); also picks a preset's prompts.")
    var seed: UInt64 = 0
    @Option(help: "Sequences decoded together (local) or requests in flight (remote).")
    var concurrency = 8
    @Option(name: .customLong("top-logprobs"), help: "Record this many most likely alternatives per generated token (0-20).")
    var topLogprobs: Int?
    @Option(name: .shortAndLong, help: "Local teacher: worker threads (default: physical cores).")
    var threads: Int?
    @Option(help: "Local teacher: context length in tokens (default: the model's).")
    var context: Int?
    @Option(name: .customLong("top-k"), help: """
        Local teacher: keep the top K log-probabilities of every generated position in DIR/scores as it \
        generates, from the logits each token was sampled from (0: leave it to `kinglet distill score`). Default 32.
        """)
    var topK: Int?

    @Option(name: .customLong("max-minutes"), help: "Start no new chunk of prompts after this many minutes (a rerun continues).")
    var maxMinutes: Double?

    @Option(help: "The run directory (created); samples go to DIR/samples.jsonl.")
    var out: String

    func validate() throws {
        switch (teacher, teacherURL) {
        case (nil, nil): throw ValidationError("give a teacher: --teacher MODEL, or --teacher-url URL with --teacher-model NAME")
        case (.some, .some): throw ValidationError("give either --teacher or --teacher-url, not both")
        case (nil, .some(let url)):
            if topK != nil { throw ValidationError("--top-k is for a local --teacher (a remote one gives --top-logprobs)") }
            guard URL(string: url)?.scheme?.hasPrefix("http") == true else { throw ValidationError("--teacher-url must be an http(s) URL") }
            guard teacherModel?.isEmpty == false else { throw ValidationError("--teacher-url needs --teacher-model NAME") }
        case (.some, nil):
            if let k = topK, !(0 ... 65536).contains(k) { throw ValidationError("--top-k must be between 0 and 65536") }
            if teacherModel != nil || apiKey != nil || tokenizer != nil {
                throw ValidationError("--teacher-model, --api-key and --tokenizer are for --teacher-url")
            }
        }
        if (prompts == nil) == (preset == nil) { throw ValidationError("give exactly one of --prompts FILE and --preset NAME") }
        if let c = count, c < 1 { throw ValidationError("--count must be ≥ 1") }
        if maxTokens < 1 { throw ValidationError("--max-tokens must be ≥ 1") }
        if !temperature.isFinite || !(0 ... 2).contains(temperature) { throw ValidationError("--temperature must be between 0 and 2") }
        if !(topP > 0 && topP <= 1) { throw ValidationError("--top-p must be in (0, 1]") }
        if !(-2 ... 2).contains(frequencyPenalty) || !(-2 ... 2).contains(presencePenalty) {
            throw ValidationError("--frequency-penalty and --presence-penalty must be between -2 and 2")
        }
        if let k = topLogprobs, !(0 ... 20).contains(k) { throw ValidationError("--top-logprobs must be between 0 and 20") }
        if !(1 ... 256).contains(concurrency) { throw ValidationError("--concurrency must be between 1 and 256") }
        if let t = threads, !(1 ... 256).contains(t) { throw ValidationError("--threads must be between 1 and 256") }
        if let c = context, c < 1 { throw ValidationError("--context must be positive") }
        if retries < 1 { throw ValidationError("--retries must be ≥ 1") }
        if let m = maxMinutes, !(m > 0) { throw ValidationError("--max-minutes must be positive") }
    }

    func run() async throws {
        try await reportingErrors {
            let list = try loadPrompts()
            let teacher = try makeTeacher()
            var settings = GenerationSettings()
            settings.maxTokens = maxTokens
            settings.temperature = temperature
            settings.topP = topP
            settings.seed = seed
            settings.topLogprobs = topLogprobs
            settings.frequencyPenalty = frequencyPenalty
            settings.presencePenalty = presencePenalty
            let dataset = DistillDataset(directory: URL(fileURLWithPath: out))
            var generator = DistillGenerator(teacher: teacher, dataset: dataset, settings: settings,
                                             chunkSize: max(32, 4 * concurrency))
            generator.deadline = maxMinutes.map { Date(timeIntervalSinceNow: $0 * 60) }
            Terminal.status("teacher \(teacher.name): \(list.count) prompts → \(dataset.samplesURL.path)")
            var scores: TeacherScoreWriter?
            if let local = teacher as? LocalTeacher, let k = local.scoreTopK {
                let dir = URL(fileURLWithPath: out).appendingPathComponent("scores")
                scores = try TeacherScoreWriter(directory: dir, k: k, vocabularySize: local.engine.config.vocabularySize,
                                                tokenizerFingerprint: VocabularyFingerprint.of(local.engine.tokenizer))
                Terminal.status("scoring as it generates: top \(k) log-probabilities per position → \(dir.path)")
            }
            let meter = ProgressLine()
            let s = try await generator.run(list, scores: scores) { meter.update($0) }
            meter.finish()
            if s.truncatedBytes > 0 { Terminal.status("cut off a torn last line (\(s.truncatedBytes) bytes) left by an interrupted run") }
            let reasons = s.finishReasons.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            let left = s.distinct - s.cached - s.generated
            if left > 0 { Terminal.status("stopped at --max-minutes with \(left) prompts left; run again to continue") }
            Terminal.status("done: \(s.generated) generated, \(s.cached) already in the dataset (\(s.distinct) distinct of \(s.prompts) prompts)")
            if s.generated > 0 {
                Terminal.status(String(format: "  %.1f completions/min, %.1f tokens/s, %d completion tokens in %@; finish: %@",
                                       s.completionsPerMinute, s.tokensPerSecond, s.completionTokens, ProgressLine.duration(s.seconds), reasons))
            }
        }
    }

    func loadPrompts() throws -> [DistillPrompt] {
        if let preset {
            return try PresetPromptSource(preset: try PromptPreset.named(preset), count: count ?? 1000, seed: seed, system: system).prompts()
        }
        let all = try JSONLPromptSource(url: URL(fileURLWithPath: prompts ?? ""), system: system).prompts()
        return count.map { Array(all.prefix($0)) } ?? all
    }

    func makeTeacher() throws -> any Teacher {
        if let teacher {
            let path = try ModelStore().resolve(teacher) { Terminal.status($0) }
            let engine = try ModelOptions.loadEngine(path: path.path, options: EngineOptions(threads: threads, contextLength: context))
            Terminal.status(String(format: "loaded %@ in %.2f s (%d threads, %d sequences per step)", path.lastPathComponent,
                                   engine.loadSeconds, engine.pool.threadCount, concurrency))
            let k = topK ?? 32
            return LocalTeacher(engine: engine, name: ServeCommand.modelID(teacher), concurrency: concurrency,
                                scoreTopK: k > 0 ? k : nil)
        }
        let model = teacherModel ?? ""
        let spec = tokenizer ?? model
        let path: URL
        do { path = try ModelStore().resolve(spec) { Terminal.status($0) } } catch {
            throw TokenizerNotFound(spec: spec, reason: error.message)
        }
        let local = try TeacherTokenizer(gguf: try GGUFFile(path: path.path))
        return RemoteTeacher(url: URL(string: teacherURL ?? "")!, model: model, apiKey: apiKey, tokenizer: local,
                             concurrency: concurrency, retry: RetryPolicy(maxAttempts: retries))
    }
}

/// A remote teacher's `--tokenizer` (or `--teacher-model`) that names no model here.
struct TokenizerNotFound: Error, LocalizedError {
    var spec: String
    var reason: String
    var errorDescription: String? {
        "no local tokenizer for the remote teacher '\(spec)': \(reason) "
            + "Pass --tokenizer with the teacher's model name or GGUF path (token ids come from it)."
    }
}

/// The progress line on stderr: done/total, tokens/s, ETA. Redrawn in place at most 4 times a
/// second on a terminal; a plain line every 10 s otherwise.
final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private var last = Date.distantPast
    private var drawn = false
    private let isTerminal = isatty(2) == 1

    func update(_ p: DistillProgress) {
        lock.withLock {
            let now = Date()
            let final = p.done == p.pending
            guard final || now.timeIntervalSince(last) >= (isTerminal ? 0.25 : 10) else { return }
            last = now
            let total = p.pending + p.cached
            let done = p.done + p.cached
            let pct = total > 0 ? Double(done) * 100 / Double(total) : 100
            let eta = p.eta.map { Self.duration($0) } ?? "?"
            let line = String(format: "[%d/%d] %.1f%% | %.1f tokens/s | ETA %@", done, total, pct, p.tokensPerSecond, eta)
            if isTerminal {
                FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
                drawn = true
            } else {
                Terminal.status(line)
            }
        }
    }

    func finish() {
        lock.withLock { if drawn { FileHandle.standardError.write(Data("\n".utf8)) } }
    }

    static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        if t >= 3600 { return "\(t / 3600)h\(String(format: "%02d", t % 3600 / 60))m" }
        if t >= 60 { return "\(t / 60)m\(String(format: "%02d", t % 60))s" }
        return String(format: "%.1fs", s)
    }
}
