import ArgumentParser
import Foundation
import Kinglet
import KingletDistill

/// `kinglet distill onpolicy --student S --teacher T --data DIR --out DIR2 --count N`: the
/// student completes training-split prompts of a teacher dataset and the teacher scores every
/// position of its completions (GKD's on-policy data), resumably.
struct DistillOnPolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "onpolicy",
        abstract: "Sample a student on a teacher dataset's prompts and have the teacher score the samples (on-policy data).",
        discussion: """
            Prompts come from DATA's training split only (the held-out share, --validation-fraction, is \
            never sampled); --seed picks them and seeds the samples. The student samples at temperature 1 \
            without top-k or min-p (GKD); the teacher's top-k log-probabilities go to OUT/scores, the \
            shard format `distill score` writes. A rerun continues where the last one stopped.
            """)

    @Option(help: "The student: an exported .gguf (e.g. RUN/student-q8_0.gguf) or a known model name.") var student: String
    @Option(help: "The teacher that scores: a known model name or a .gguf path.") var teacher: String
    @Option(help: "The teacher's dataset directory (holds samples.jsonl).") var data: String
    @Option(help: "The on-policy dataset directory (created).") var out: String
    @Option(help: "Prompts to sample.") var count: Int
    @Option(help: "Picks the prompts and seeds each sample.") var seed: UInt64 = 0
    @Option(name: .customLong("max-tokens"), help: "Stop each completion after this many tokens.") var maxTokens = 256
    @Option(help: "Sampling temperature (GKD samples at 1).") var temperature: Float = 1
    @Option(name: .customLong("top-p"), help: "Nucleus sampling threshold (1: off).") var topP: Float = 1
    @Option(name: .customLong("top-k"), help: "Log-probabilities the teacher keeps per position (the teacher dataset's, to mix them).")
    var topK = 32
    @Option(name: .customLong("validation-fraction"), help: "The teacher dataset's held-out share, as training splits it.")
    var validationFraction = 0.05
    @Option(help: "Sequences the student decodes together.") var concurrency = 8
    @Option(name: .shortAndLong, help: "Worker threads (default: physical cores).") var threads: Int?
    @Option(name: .customLong("max-minutes"), help: "Start no new chunk after this many minutes (a rerun continues).")
    var maxMinutes: Double?

    func validate() throws {
        if count < 1 { throw ValidationError("--count must be ≥ 1") }
        if maxTokens < 1 { throw ValidationError("--max-tokens must be ≥ 1") }
        if !(temperature > 0) { throw ValidationError("--temperature must be above 0: on-policy samples are drawn") }
        let sampling = SamplingParameters(openAITemperature: temperature, topP: topP, presencePenalty: nil, frequencyPenalty: nil, seed: nil)
        do throws(SamplingError) { try sampling.validateOpenAI() } catch { throw ValidationError(sampling: error) }
        if !(1 ... 65536).contains(topK) { throw ValidationError("--top-k must be between 1 and 65536") }
        if !(0 ..< 1).contains(validationFraction) { throw ValidationError("--validation-fraction must be in [0, 1)") }
        if !(1 ... 256).contains(concurrency) { throw ValidationError("--concurrency must be between 1 and 256") }
        try validateThreads(threads)
        if let m = maxMinutes, !(m > 0) { throw ValidationError("--max-minutes must be positive") }
    }

    func run() async throws {
        var job = OnPolicyJob(student: student, teacher: teacher, teacherDataDirectory: URL(fileURLWithPath: data),
                              directory: URL(fileURLWithPath: out), count: count, seed: seed)
        job.settings.maxTokens = maxTokens
        job.settings.temperature = temperature
        job.settings.topP = topP
        job.topK = topK
        job.validationFraction = validationFraction
        job.concurrency = concurrency
        job.threads = threads
        job.maxMinutes = maxMinutes
        let printer = DistillEventPrinter()
        try await reportingErrors {
            let summary: OnPolicyJob.Summary
            do { summary = try await DistillFlagErrors.naming { try await job.run(events: printer.handle) } } catch let e as OnPolicyError {
                throw Self.flagged(e)
            }
            print(String(format: "on-policy: %d prompts, %d samples generated, %d scored in %.1f s%@", summary.prompts,
                         summary.generation.generated, summary.scoring.scored, summary.seconds,
                         summary.complete ? "" : " (incomplete: run again to continue)"))
        }
    }

    /// The library's error, with the flag that fixes it.
    static func flagged(_ e: OnPolicyError) -> Error {
        let text = e.errorDescription ?? "\(e)"
        switch e {
        case .manifestMismatch: return CLIError(text: text + " Pass another --out.")
        case .noPrompts: return CLIError(text: text + " Check --data and --validation-fraction.")
        case .promptMismatch, .vocabularyMismatch: return CLIError(text: text + " Check --student and --teacher.")
        default: return e
        }
    }
}
