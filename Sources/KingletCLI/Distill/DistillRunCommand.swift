import ArgumentParser
import Foundation
import Kinglet
import KingletDistill
import KingletGGUF
import KingletTraining

/// `kinglet distill run`: the whole pipeline in one command, each stage skipped when complete.
struct DistillRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Generate → score → train (KD and baseline, per seed) → evaluate → export → report, resumably.",
        discussion: """
        Stages write into --out: data/ (teacher samples and scores), kd-seedN/ and baseline-seedN/ (runs),
        report.html and report.json. Rerunning skips finished stages and resumes interrupted ones.
        """)

    @Option(help: "The teacher: a known model name or a .gguf path.") var teacher: String = KnownModel.defaultAlias
    @Option(help: "Prompt preset.") var preset: String = "stories"
    @Option(help: "Student size: nano, micro or mini.") var student: ModelPreset = .micro
    @Option(help: "Teacher samples to generate.") var count: Int = 600
    @Option(name: .customLong("max-tokens"), help: "Longest teacher completion.") var maxTokens: Int = 200
    @Option(help: "Seeds: each trains a KD run and a baseline.") var seeds: Int = 1
    @Option(help: "Optimizer steps per run (with --budget-minutes: set from the time left).") var steps: Int = 150
    @Option(name: .customLong("budget-minutes"), help: """
        Fit the whole pipeline into about this many minutes: the teacher gets up to 35% (fewer samples if \
        it is slow), then the steps per run are set from a measured step time so that every run, the same \
        for all, ends within the rest (saved in DIR/plan.json; a rerun keeps it).
        """)
    var budgetMinutes: Double?
    @Option(help: "Sequences per step.") var batch: Int = 8
    @Option(help: "Tokens per sequence.") var seq: Int = 256
    @Option(help: "Peak learning rate.") var lr: Float = 2e-3
    @Option(help: "Weight α of the distillation term.") var alpha: Double = 0.5
    @Option(help: "Loss temperature.") var temperature: Double = 1
    @Option(name: .shortAndLong, help: "Threads.") var threads: Int?
    @Option(help: "Output directory.") var out: String

    func validate() throws {
        for (name, v) in [("count", count), ("max-tokens", maxTokens), ("seeds", seeds), ("steps", steps), ("batch", batch), ("seq", seq)] where v < 1 {
            throw ValidationError("--\(name) must be at least 1")
        }
        if let b = budgetMinutes, !(b >= 1 && b <= 7 * 24 * 60) { throw ValidationError("--budget-minutes must be between 1 and 10080") }
    }

    func run() async throws {
        try await reportingErrors {
            let started = Date()
            let dir = URL(fileURLWithPath: out)
            let data = dir.appendingPathComponent("data").path
            let t = threads.map { ["-t", "\($0)"] } ?? []
            Terminal.status("== 1/4 teacher samples")
            var gen = try DistillGenerateCommand.parse(["--teacher", teacher, "--preset", preset, "--count", "\(count)",
                                                        "--max-tokens", "\(maxTokens)", "--concurrency", "16", "--out", data] + t
                                                       + (budgetMinutes.map { ["--max-minutes", "\($0 * DistillBudget.teacherShare)"] } ?? []))
            try await gen.run()
            Terminal.status("== 2/4 teacher scores")
            var score = try DistillScoreCommand.parse(["--teacher", teacher, "--data", data] + t)
            try score.run()
            var steps = self.steps
            if let budgetMinutes {
                let teacherPath = try ModelStore().resolve(teacher) { Terminal.status($0) }
                let vocabulary = try Tokenizer(gguf: GGUFFile(path: teacherPath.path)).vocabularySize
                let held = try DistillTrainingJob.sequences(dataDirectory: URL(fileURLWithPath: data), length: seq,
                                                            validationFraction: 0.05).validation.count
                let valBatches = (min(held, DistillTrainingJob.defaultMaxValidationSamples) + batch - 1) / batch
                let plan = try DistillBudget.plan(in: dir, budgetMinutes: budgetMinutes, started: started, runs: 2 * seeds, preset: student,
                                                  vocabularySize: vocabulary, batch: batch, seq: seq, validationBatches: valBatches,
                                                  threads: threads)
                steps = plan.steps
                Terminal.status(String(format: "== budget: %.1f of %.0f minutes left for %d runs; a step takes %.2f s → %d steps each (%@)",
                                       plan.secondsLeft / 60, budgetMinutes, plan.runs, plan.stepSeconds, plan.steps,
                                       DistillBudget.url(in: dir).path))
            }
            var runs: [String] = []
            for seed in 0 ..< seeds {
                for kind in ["kd", "baseline"] {
                    let run = dir.appendingPathComponent("\(kind)-seed\(seed)")
                    runs.append(run.path)
                    if FileManager.default.fileExists(atPath: run.appendingPathComponent("eval.json").path) {
                        Terminal.status("== 3/4 \(kind) seed \(seed): done earlier")
                        continue
                    }
                    Terminal.status("== 3/4 train \(kind) seed \(seed)")
                    let resume = FileManager.default.fileExists(atPath: run.appendingPathComponent("checkpoint.gguf").path)
                    var train = try DistillTrainCommand.parse(
                        ["--data", data, "--teacher", teacher, "--out", run.path, "--preset", student.rawValue, "--steps", "\(steps)",
                         "--batch", "\(batch)", "--seq", "\(seq)", "--lr", "\(lr)", "--warmup", "\(max(steps / 10, 1))",
                         "--seed", "\(seed)", "--alpha", "\(alpha)", "--temperature", "\(temperature)",
                         "--eval-every", "\(max(steps / 10, 1))", "--checkpoint-every", "\(max(steps / 4, 1))"]
                        + (kind == "baseline" ? ["--baseline"] : []) + (resume ? ["--resume"] : []) + t)
                    try await train.run()
                }
            }
            Terminal.status("== 4/4 report")
            var report = try DistillReportCommand.parse(runs + ["--out", dir.appendingPathComponent("report.html").path])
            try report.run()
            Terminal.status("student: \(dir.appendingPathComponent("kd-seed0/student-q8_0.gguf").path)")
            Terminal.status("report:  \(dir.appendingPathComponent("report.html").path)")
        }
    }
}
