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
    @Option(name: .customLong("top-logprobs"), help: """
        Record this many most likely alternatives per generated token (0-20). A remote teacher's also go to DIR/scores \
        as the samples' teacher scores (top K + tail), for `distill train` without a local copy of the teacher.
        """)
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

    @Option(help: ArgumentHelp("""
        Complete only shard I of N (numbered from 0: 0/3, 1/3, 2/3): every N-th distinct prompt, into --out \
        with a shard.json; `kinglet distill merge` joins the N directories into the unsharded run's dataset.
        """, valueName: "I/N"), transform: ShardSpec.flag)
    var shard: ShardSpec?

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
        // OpenAI's ranges: a remote teacher is an OpenAI-compatible server.
        let sampling = SamplingParameters(openAITemperature: temperature, topP: topP, presencePenalty: presencePenalty,
                                          frequencyPenalty: frequencyPenalty, seed: nil)
        do throws(SamplingError) { try sampling.validateOpenAI() } catch { throw ValidationError(sampling: error) }
        if let k = topLogprobs, !(0 ... 20).contains(k) { throw ValidationError("--top-logprobs must be between 0 and 20") }
        if !(1 ... 256).contains(concurrency) { throw ValidationError("--concurrency must be between 1 and 256") }
        try validateThreads(threads)
        if let c = context, c < 1 { throw ValidationError("--context must be positive") }
        if retries < 1 { throw ValidationError("--retries must be ≥ 1") }
        if let m = maxMinutes, !(m > 0) { throw ValidationError("--max-minutes must be positive") }
    }

    func run() async throws {
        let printer = DistillEventPrinter()
        try await reportingErrors {
            _ = try await DistillFlagErrors.naming { try await job().run(events: printer.handle) }
        }
    }

    /// The step, configured from the flags.
    func job() -> DistillGenerationJob {
        let source: TeacherSource
        if let teacher {
            source = .local(model: teacher, threads: threads, context: context, scoreTopK: topK ?? 32)
        } else {
            source = .remote(url: URL(string: teacherURL ?? "")!, model: teacherModel ?? "", apiKey: apiKey, tokenizer: tokenizer,
                             retries: retries)
        }
        let list: DistillGenerationJob.Prompts = preset.map { .preset($0, count: count) }
            ?? .file(URL(fileURLWithPath: prompts ?? ""), count: count)
        var job = DistillGenerationJob(teacher: source, prompts: list, directory: URL(fileURLWithPath: out))
        job.system = system
        job.settings.maxTokens = maxTokens
        job.settings.temperature = temperature
        job.settings.topP = topP
        job.settings.seed = seed
        job.settings.topLogprobs = topLogprobs
        job.settings.frequencyPenalty = frequencyPenalty
        job.settings.presencePenalty = presencePenalty
        job.concurrency = concurrency
        job.maxMinutes = maxMinutes
        job.shard = shard
        return job
    }
}
