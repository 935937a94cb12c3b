import ArgumentParser
import Foundation
import Kinglet
import KingletDistill
import KingletTraining

extension Divergence: ExpressibleByArgument {}

extension QuantizeFileType: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
}

/// `kinglet distill train`: a student on teacher samples (KD), or the CE-only baseline.
struct DistillTrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a student on teacher samples with a distillation loss (or --baseline: cross-entropy only).",
        discussion: """
        loss = (1−α)·CE(teacher's tokens) + α·T²·D(teacher ‖ student), D over the teacher's stored top-k
        log-probabilities plus a tail bucket (DATA/scores, from `kinglet distill score`). The student uses
        the teacher's tokenizer; a score store made with another vocabulary is refused. Writes run.json,
        metrics.jsonl, the checkpoint, student-q8_0/q4_0.gguf and eval.json to --out.
        """)

    @Option(help: "The dataset directory (samples.jsonl, scores/).") var data: String
    @Option(help: "The teacher (its tokenizer and chat template go into the student).") var teacher: String = KnownModel.defaultAlias
    @Option(help: "Run directory.") var out: String
    @Option(help: "Run name in reports (default: the directory's name).") var name: String?
    @Flag(help: "Cross-entropy only (α = 0): the honest comparison for a KD run with the same seed and budget.") var baseline = false
    @Option(help: "Weight α of the distillation term.") var alpha: Double = 0.5
    @Option(help: "Loss temperature T (separate from any sampling temperature).") var temperature: Double = 1
    @Option(help: "D: forward-kl, reverse-kl or jsd.") var divergence: Divergence = .forwardKL
    @Option(help: "β of the generalized JSD.") var beta: Double = 0.5
    @Option(name: .customLong("val-fraction"), help: "Share of samples held out (by a hash of the id).") var valFraction: Double = 0.05
    @Option(name: .customLong("on-policy"), help: "Mix in on-policy samples from this directory (`kinglet distill onpolicy --out`).")
    var onPolicy: String?
    @Option(name: .customLong("on-policy-ratio"), help: "With --on-policy: the share λ of rows drawn from it (CE weight 0 there).")
    var onPolicyRatio: Double = 0.5
    @Option(name: .customLong("quantization-aware"), help: """
        Train for this llama.cpp file type (Q4_1, Q4_0, Q8_0, …): every step sees the weights rounded as that file \
        holds them; the student is also written as that type (student-<type>.gguf) and that is the file it ships as.
        """) var quantizationAware: QuantizeFileType?
    @Option(name: .customLong("quantization-aware-steps"), help: """
        With --quantization-aware: round only in the last N steps (the steps before heal at full precision; \
        the rounded phase restarts the learning-rate schedule). Default: every step.
        """) var quantizationAwareSteps: Int?
    @OptionGroup var training: TrainingOptions

    func validate() throws {
        if !(0 ... 1).contains(alpha) { throw ValidationError("--alpha must be in [0, 1]") }
        if !(temperature > 0 && temperature <= 20) { throw ValidationError("--temperature must be in (0, 20]") }
        if !(beta > 0 && beta < 1) { throw ValidationError("--beta must be in (0, 1)") }
        if !(valFraction > 0 && valFraction < 1) { throw ValidationError("--val-fraction must be in (0, 1)") }
        if let n = quantizationAwareSteps, n < 1 || quantizationAware == nil {
            throw ValidationError("--quantization-aware-steps needs --quantization-aware and must be at least 1")
        }
        if !(0 ... 1).contains(onPolicyRatio) { throw ValidationError("--on-policy-ratio must be in [0, 1]") }
        if onPolicy != nil && (baseline || alpha == 0) { throw ValidationError("--on-policy needs KD with --alpha above 0 (its rows have no CE)") }
    }

    func run() async throws {
        let printer = DistillEventPrinter()
        try await reportingErrors {
            let teacherPath = try ModelStore().resolve(teacher) { Terminal.status($0) }
            let dataURL = URL(fileURLWithPath: data), outURL = URL(fileURLWithPath: out)
            var job = DistillTrainingJob(
                dataDirectory: dataURL, scoresDirectory: dataURL.appendingPathComponent("scores"), teacherPath: teacherPath,
                runDirectory: outURL, name: name ?? outURL.lastPathComponent, kind: baseline ? .baseline : .kd,
                settings: training.settings(),
                distillation: DistillationSettings(alpha: alpha, temperature: temperature, divergence: divergence, beta: beta))
            job.validationFraction = valFraction
            job.threads = training.threads
            job.resume = training.resume
            job.quantizationAware = quantizationAware
            job.quantizationAwareSteps = quantizationAwareSteps
            job.onPolicy = onPolicy.map { OnPolicyMix(dataDirectory: URL(fileURLWithPath: $0), ratio: onPolicyRatio) }
            StopSignal.install()
            try job.run(events: printer.handle)
        }
    }
}
