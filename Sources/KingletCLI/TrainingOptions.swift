import ArgumentParser
import Foundation
import KingletTraining

extension ModelPreset: ExpressibleByArgument {}

/// The model shape and optimization flags shared by `kinglet train` and `kinglet distill train`.
struct TrainingOptions: ParsableArguments {
    @Option(help: "Model size: nano (≈1M), micro (≈6M), mini (≈23M) parameters plus embeddings.")
    var preset: ModelPreset = .micro
    @Option(help: "Custom shape: embedding size (overrides the preset's; give all five).") var dim: Int?
    @Option(help: "Custom shape: layers.") var layers: Int?
    @Option(help: "Custom shape: attention heads.") var heads: Int?
    @Option(name: .customLong("kv-heads"), help: "Custom shape: key/value heads.") var kvHeads: Int?
    @Option(help: "Custom shape: feed-forward size.") var ffn: Int?

    @Option(name: .customLong("init"), help: """
        Start from this llama GGUF's weights (any type Kinglet runs, dequantized to F32; a pruned model from \
        `kinglet prune`) instead of random ones: its shape replaces the shape flags.
        """)
    var initialWeights: String?
    @Option(name: .customLong("frozen-layers"), help: """
        With --init: keep the token embedding (the tied output head) and the first N layers as they are; \
        no gradient is formed for them, so steps are cheaper.
        """)
    var frozenLayers: Int?
    @Option(help: "Optimizer steps.") var steps: Int = 1000
    @Option(help: "Sequences per micro-batch.") var batch: Int = 8
    @Option(help: "Tokens per sequence (the model's context).") var seq: Int = 256
    @Option(help: "Micro-batches per optimizer step (gradient accumulation).") var accum: Int = 1
    @Option(help: "Peak learning rate.") var lr: Float = 1e-3
    @Option(name: .customLong("min-lr"), help: "Final learning rate of the cosine decay (default: lr/10).") var minLR: Float?
    @Option(help: "Linear warm-up steps.") var warmup: Int = 100
    @Option(name: .customLong("weight-decay"), help: "AdamW decoupled weight decay (not applied to norms).") var weightDecay: Float = 0.1
    @Option(help: "Clip the global gradient norm to this (0: off).") var clip: Float = 1
    @Option(help: "Random seed (weights and batches).") var seed: UInt64 = 0
    @Option(name: .customLong("eval-every"), help: "Evaluate on the validation split every N steps.") var evalEvery: Int = 100
    @Option(name: .customLong("eval-batches"), help: "Validation batches per evaluation.") var evalBatches: Int = 8
    @Option(name: .customLong("checkpoint-every"), help: "Write a checkpoint every N steps (and always at the end and on Ctrl-C).")
    var checkpointEvery: Int = 500
    @Option(name: .shortAndLong, help: "Worker threads (default: physical cores).") var threads: Int?
    @Flag(help: "Continue the run in --out from its checkpoint.") var resume = false

    func validate() throws {
        for (name, v) in [("steps", steps), ("batch", batch), ("seq", seq), ("accum", accum), ("eval-batches", evalBatches)] where v < 1 {
            throw ValidationError("--\(name) must be at least 1")
        }
        if seq > 8192 { throw ValidationError("--seq must be at most 8192") }
        if !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be positive") }
        if warmup < 0 || clip < 0 || weightDecay < 0 { throw ValidationError("--warmup, --clip and --weight-decay must be ≥ 0") }
        try validateThreads(threads)
        let custom = [dim, layers, heads, kvHeads, ffn]
        if initialWeights != nil, custom.contains(where: { $0 != nil }) {
            throw ValidationError("--init takes its shape from the model; leave out --dim, --layers, --heads, --kv-heads and --ffn")
        }
        if let frozenLayers {
            guard initialWeights != nil else { throw ValidationError("--frozen-layers needs --init: it keeps a trained model's weights") }
            guard frozenLayers >= 0 else { throw ValidationError("--frozen-layers must be at least 0") }
        }
        if custom.contains(where: { $0 != nil }) && custom.contains(where: { $0 == nil }) {
            throw ValidationError("a custom shape needs all of --dim, --layers, --heads, --kv-heads and --ffn")
        }
    }

    /// The shape: the custom flags when given, else the preset's.
    var shape: (name: String, shape: ModelShape) {
        if let dim, let layers, let heads, let kvHeads, let ffn {
            return ("custom", ModelShape(dim: dim, layers: layers, heads: heads, kvHeads: kvHeads, ffn: ffn))
        }
        return (preset.rawValue, ModelShape(preset.config(vocabularySize: 1, contextLength: 1)))
    }

    func settings() -> TrainSettings {
        let (name, shape) = self.shape
        var s = TrainSettings(steps: steps, batch: batch, length: seq, preset: initialWeights == nil ? name : "init", shape: shape)
        s.initialWeights = initialWeights.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        s.accumulation = accum
        s.learningRate = lr
        s.minLearningRate = minLR
        s.warmup = min(warmup, steps)
        s.adam.weightDecay = weightDecay
        s.gradientClip = clip
        s.seed = seed
        s.evalEvery = evalEvery
        s.evalBatches = evalBatches
        s.checkpointEvery = checkpointEvery
        s.frozenLayers = frozenLayers
        return s
    }
}
