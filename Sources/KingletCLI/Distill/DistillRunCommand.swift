import ArgumentParser
import Foundation
import Kinglet
import KingletDistill
import KingletTraining

/// `DistillPipeline`'s defaults, which are the flags' defaults.
private let defaults = DistillPipeline.Configuration(directory: URL(fileURLWithPath: "."))

/// `kinglet distill run`: the whole pipeline in one command, each stage skipped when complete.
struct DistillRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Generate → score → train (KD and baseline, per seed) → evaluate → export → report, resumably.",
        discussion: """
        Stages write into --out: data/ (teacher samples and scores), kd-seedN/ and baseline-seedN/ (runs; with
        --on-policy-ratio, kd-seedN/onpolicy-roundR/ holds each round's student samples and scores),
        report.html and report.json. Rerunning skips finished stages and resumes interrupted ones.
        """)

    @Option(help: "The teacher: a known model name or a .gguf path.") var teacher: String = defaults.teacher
    @Option(help: "Prompt preset.") var preset: String = defaults.preset
    @Option(help: "Student: a size from scratch (nano, micro, mini), the teacher pruned (prune:layers=N,ffn=M), or init:PATH.gguf.")
    var student: String = defaults.student.description
    @Option(help: "Teacher samples to generate.") var count: Int = defaults.count
    @Option(name: .customLong("max-tokens"), help: "Longest teacher completion.") var maxTokens: Int = defaults.maxTokens
    @Option(help: "Seeds: each trains a KD run and a baseline.") var seeds: Int = defaults.seeds
    @Option(help: "Optimizer steps per run (with --budget-minutes: set from the time left).") var steps: Int = defaults.steps
    @Option(name: .customLong("budget-minutes"), help: """
        Fit the whole pipeline into about this many minutes: the teacher gets up to 35% (fewer samples if \
        it is slow), then the steps per run are set from a measured step time so that every run, the same \
        for all, ends within the rest (saved in DIR/plan.json; a rerun keeps it).
        """)
    var budgetMinutes: Double?
    @Option(help: "Sequences per step (default: 8 from scratch, 1 from trained weights).") var batch: Int?
    @Option(help: "Tokens per sequence.") var seq: Int = defaults.seq
    @Option(help: "Peak learning rate (default: 2e-3 from scratch, 1e-3 from trained weights).") var lr: Float?
    @Option(help: "Weight α of the distillation term (default: 1 from trained weights, 0.5 from scratch).") var alpha: Double?
    @Option(help: "Loss temperature.") var temperature: Double = defaults.temperature
    @Option(name: .customLong("quantization-aware-share"), help: """
        For a student cut from a teacher in a 4- to 6-bit type: the share of each run's last steps trained on \
        weights rounded to that type, which it then ships in (default 1: every step; 0: full precision, shipped as Q8_0).
        """)
    var quantizationAwareShare: Double = defaults.quantizationAwareShare
    @Flag(inversion: .prefixedNo, help: """
        For a student cut from the teacher: keep the token embedding and the layers below the first cut as the \
        teacher has them (they compute what the teacher's do; steps are cheaper without their gradients).
        """)
    var freezeUntouched = defaults.freezeUntouched
    @Option(name: .customLong("on-policy-ratio"), help: """
        On-policy distillation (GKD) in the KD runs: λ in [0, 1), the share of batch rows drawn from the \
        student's own samples, which the teacher scores (0: the teacher's samples only). The KD run pauses \
        at evenly spaced steps, its checkpoint samples training prompts, and training resumes on the mix; \
        with --budget-minutes the planner measures that sampling and pays for it (see README). Baselines never mix.
        """)
    var onPolicyRatio: Double = defaults.onPolicyRatio
    @Option(name: .customLong("on-policy-rounds"), help: "With --on-policy-ratio: how many times the KD run samples anew.")
    var onPolicyRounds: Int = defaults.onPolicyRounds
    @Option(name: .shortAndLong, help: "Threads.") var threads: Int?
    @Option(help: "Output directory.") var out: String

    func validate() throws {
        for (name, v) in [("count", count), ("max-tokens", maxTokens), ("seeds", seeds), ("steps", steps), ("batch", batch ?? 1), ("seq", seq)] where v < 1 {
            throw ValidationError("--\(name) must be at least 1")
        }
        do { _ = try StudentSpec(parsing: student) } catch { throw ValidationError("--student: \(error.localizedDescription)") }
        try validateThreads(threads)
        if let b = budgetMinutes, !(b >= 1 && b <= 7 * 24 * 60) { throw ValidationError("--budget-minutes must be between 1 and 10080") }
        do { try pipeline.configuration.validate() } catch { throw ValidationError(Self.flagged(error)) }
    }

    /// The pipeline, configured from the flags.
    var pipeline: DistillPipeline {
        var c = DistillPipeline.Configuration(directory: URL(fileURLWithPath: out))
        c.teacher = teacher
        c.preset = preset
        c.student = (try? StudentSpec(parsing: student)) ?? c.student
        c.count = count
        c.maxTokens = maxTokens
        c.seeds = seeds
        c.steps = steps
        c.budgetMinutes = budgetMinutes
        c.batch = batch
        c.seq = seq
        c.learningRate = lr
        c.alpha = alpha
        c.temperature = temperature
        c.quantizationAwareShare = quantizationAwareShare
        c.freezeUntouched = freezeUntouched
        c.onPolicyRatio = onPolicyRatio
        c.onPolicyRounds = onPolicyRounds
        c.threads = threads
        return DistillPipeline(c)
    }

    func run() async throws {
        let printer = DistillEventPrinter()
        try await reportingErrors {
            let result = try await DistillFlagErrors.naming {
                try await pipeline.run { event in
                    // Ctrl-C stops a training run at a checkpoint; before training it ends the process.
                    if case .stage(.train) = event { StopSignal.install() }
                    printer.handle(event)
                }
            }
            Terminal.status("student: \(result.student.path)")
            Terminal.status("report:  \(result.report.path)")
        }
    }
}
