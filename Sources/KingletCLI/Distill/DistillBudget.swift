import Foundation
import KingletGGUF
import KingletKernels
import KingletTraining

/// How `kinglet distill run --budget-minutes` splits its time: the teacher stages get up to
/// `teacherShare` of the budget, and the steps of every training run (KD and baseline, all seeds,
/// the same for each so the comparison stays fair) are set from a measured optimizer step so the
/// runs end within what is left. The plan is saved in DIR/plan.json and reused on a rerun, so a
/// resumed run keeps the step count (and learning-rate schedule) it started with.
struct DistillBudget: Codable {
    /// Share of the budget the teacher stages may use before training starts.
    static let teacherShare = 0.35
    /// Per run: start-up, checkpoint, two exports and their evaluations by the inference engine
    /// (seconds; about 30 in the 30-minute stories demo with the micro student).
    static let perRunOverhead = 30.0
    /// Distillation's extra loss work and the progress bookkeeping over the CE step time
    /// (measured 2.25 s against 2.00 s in that demo).
    static let stepMargin = 1.15
    /// Held-out evaluations per run: every tenth of the steps, and the final one.
    static let evaluationsPerRun = 11

    var budgetMinutes: Double
    var secondsLeft: Double
    var stepSeconds: Double
    var runs: Int
    var steps: Int

    enum CodingKeys: String, CodingKey {
        case budgetMinutes = "budget_minutes", secondsLeft = "seconds_left", stepSeconds = "step_seconds", runs, steps
    }

    static func url(in dir: URL) -> URL { dir.appendingPathComponent("plan.json") }

    /// The saved plan, or a new one measured now and saved.
    /// `validationBatches`: batches of one held-out evaluation (each costs about half a training
    /// step: the forward pass and the per-row figures over the whole vocabulary).
    static func plan(in dir: URL, budgetMinutes: Double, started: Date, runs: Int, preset: ModelPreset, vocabularySize: Int,
                     batch: Int, seq: Int, validationBatches: Int, threads: Int?) throws -> DistillBudget {
        if let data = try? Data(contentsOf: url(in: dir)), let saved = try? JSONDecoder().decode(DistillBudget.self, from: data) {
            return saved
        }
        let left = budgetMinutes * 60 - Date().timeIntervalSince(started)
        let step = measureStep(preset: preset, vocabularySize: vocabularySize, batch: batch, seq: seq, threads: threads)
        let evaluations = Double(evaluationsPerRun * validationBatches) * step / 2
        let perRun = left / Double(runs) - perRunOverhead - evaluations
        let steps = max(10, Int(perRun / (step * stepMargin)))
        let plan = DistillBudget(budgetMinutes: budgetMinutes, secondsLeft: left, stepSeconds: step, runs: runs, steps: steps)
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        try e.encode(plan).write(to: url(in: dir), options: .atomic)
        return plan
    }

    /// Seconds of one optimizer step of the student (the second of two; the first touches memory).
    static func measureStep(preset: ModelPreset, vocabularySize: Int, batch: Int, seq: Int, threads: Int?) -> Double {
        let config = preset.config(vocabularySize: vocabularySize, contextLength: seq)
        let model = TrainableLlama(config: config, seed: 1, pool: ThreadPool(threads: threads ?? ThreadPool.physicalCoreCount()))
        let shape = ModelShape(dim: config.embeddingSize, layers: config.layerCount, heads: config.headCount,
                               kvHeads: config.kvHeadCount, ffn: config.feedForwardSize)
        let timer = TrainingStepTimer(model: model, settings: TrainSettings(steps: 2, batch: batch, length: seq, preset: preset.rawValue, shape: shape))
        _ = timer.run(seed: 0)
        return timer.run(seed: 1)
    }
}
