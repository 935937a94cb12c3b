import ArgumentParser
import Foundation
import Kinglet
import KingletTraining

/// `kinglet train-bench`: the speed of training steps at a preset's shape on random tokens, for
/// side-by-side runs against other trainers (scripts/train-step-vs-pytorch.sh).
struct TrainBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-bench",
        abstract: "Time training steps (forward + backward + AdamW) at a preset's shape on random tokens.")

    @Option(help: "Model size.") var preset: ModelPreset = .micro
    @Option(help: "Vocabulary size (SmolLM2's by default).") var vocab: Int = 49152
    @Option(help: "Sequences per step.") var batch: Int = 8
    @Option(help: "Tokens per sequence.") var seq: Int = 256
    @Option(help: "Timed steps (after one warm-up step).") var steps: Int = 5
    @Option(name: .shortAndLong, help: "Threads (default: physical cores).") var threads: Int?
    @Flag(help: "Print one JSON line instead of text.") var json = false
    @Option(help: "Custom shape instead of the preset: dim,layers,heads,kv-heads,ffn.") var shape: String?
    @Option(name: .customLong("write-initial-checkpoint"),
            help: "Only write the freshly initialized model as a checkpoint to this directory (test fixtures).")
    var writeCheckpoint: String?

    func validate() throws {
        for (name, v) in [("vocab", vocab), ("batch", batch), ("seq", seq), ("steps", steps)] where v < 1 {
            throw ValidationError("--\(name) must be at least 1")
        }
        try validateThreads(threads)
    }

    func run() throws {
        var config = preset.config(vocabularySize: vocab, contextLength: seq)
        if let shape {
            let v = shape.split(separator: ",").compactMap { Int($0) }
            guard v.count == 5 else { throw ValidationError("--shape needs five integers: dim,layers,heads,kv-heads,ffn") }
            config = ModelShape(dim: v[0], layers: v[1], heads: v[2], kvHeads: v[3], ffn: v[4]).config(vocabularySize: vocab, contextLength: seq)
        }
        try config.validate()
        try TrainingMemory.check(config: config, batch: batch, length: seq)
        let pool = try ThreadPool.sized(threads)
        let model = TrainableLlama(config: config, seed: 1, pool: pool)
        var settings = TrainSettings(steps: steps + 1, batch: batch, length: seq, preset: preset.rawValue,
                                     shape: ModelShape(config))
        settings.evalEvery = 0
        settings.checkpointEvery = 0
        if let dir = writeCheckpoint {
            let p = model.parameterCount
            let params = model.withParameters(Array.init)
            try TrainingCheckpoint(config: config, step: 0, tokens: 0, adamUpdates: 0, samplerState: [0, 0, 0, 1],
                                   settingsJSON: "{}", parameters: params, adamM: [Float](repeating: 0, count: p),
                                   adamV: [Float](repeating: 0, count: p))
                .write(to: URL(fileURLWithPath: dir), tokenizerMetadata: [], name: "initial")
            print("wrote \(dir)/\(TrainingCheckpoint.fileName) (\(p) parameters)")
            return
        }
        let step = TrainingStepTimer(model: model, settings: settings)
        _ = step.run(seed: 0)   // warm-up: first-touch of every buffer
        var times: [Double] = []
        for i in 0 ..< steps { times.append(step.run(seed: UInt64(i + 1))) }
        times.sort()
        let median = times[times.count / 2]
        let tokens = Double(batch * seq)
        let flops = model.trainingFLOPs(batch: batch, length: seq)
        if json {
            print("{\"trainer\":\"kinglet\",\"preset\":\"\(preset.rawValue)\",\"threads\":\(pool.threadCount),\"batch\":\(batch),\"seq\":\(seq),\"params\":\(model.parameterCount),\"step_s\":\(median),\"tokens_per_s\":\(tokens / median),\"gflops\":\(flops / median / 1e9)}")
        } else {
            print(String(format: "%@: %.2fM parameters, B=%d T=%d, %d threads: step %.3f s (median of %d), %.0f tok/s, %.1f GFLOP/s",
                         preset.rawValue, Double(model.parameterCount) / 1e6, batch, seq, pool.threadCount, median, steps,
                         tokens / median, flops / median / 1e9))
        }
    }
}
