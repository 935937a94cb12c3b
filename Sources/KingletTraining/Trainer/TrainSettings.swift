import Foundation
import KingletArchitectures

/// Everything that determines a training run's numbers. Saved in each checkpoint as JSON; a
/// resume refuses settings that would change the loss curve (all but `steps` and the cadences).
public struct TrainSettings: Codable, Sendable, Equatable {
    public var steps: Int
    /// Sequences per micro-batch (B) and tokens per sequence (T).
    public var batch: Int
    public var length: Int
    /// Micro-batches per optimizer step.
    public var accumulation: Int = 1
    public var learningRate: Float = 1e-3
    public var warmup: Int = 100
    /// Final learning rate of the cosine decay (default: a tenth of the peak).
    public var minLearningRate: Float?
    public var adam = AdamWSettings()
    /// Clip the global gradient norm to this (0: off).
    public var gradientClip: Float = 1
    public var seed: UInt64 = 0
    public var evalEvery: Int = 100
    public var checkpointEvery: Int = 500
    /// Validation windows evaluated each time (B·T tokens each).
    public var evalBatches: Int = 8
    /// The model: preset name (or "custom", or "init") and its shape.
    public var preset: String
    public var shape: ModelShape
    /// The GGUF the weights start from (`--init`; its shape replaces `shape`); nil: random from `seed`.
    public var initialWeights: String?
    /// The file type the matrices are rounded to in every step (quantization-aware training,
    /// `FakeQuantization.target`); nil: full precision.
    public var quantizationAware: String?
    /// With `quantizationAware`: the step at which rounding starts (nil: the first). The steps
    /// before it heal at full precision with their own warm-up and cosine decay; the rounded
    /// phase restarts the schedule (warm-up, then decay over its own steps), so that weights
    /// have the rate to cross a rounding step.
    public var quantizationAwareFrom: Int?
    /// Parts that keep their starting weights: nil, everything trains; N, the token embedding (the
    /// tied output head too) and the first N layers — no gradient is formed for them and the
    /// optimizer leaves them as they are (`TrainableLlama.frozenLayers`). For a student cut from a
    /// trained model, whose embedding and layers below the first cut compute what the teacher's do.
    public var frozenLayers: Int?

    public init(steps: Int, batch: Int, length: Int, preset: String, shape: ModelShape) {
        self.steps = steps
        self.batch = batch
        self.length = length
        self.preset = preset
        self.shape = shape
    }

    /// The learning rate for 0-based step `step`: one warm-up and cosine over the run, or one per
    /// phase when a rounded phase starts later (`quantizationAwareFrom`).
    public func learningRate(at step: Int) -> Float {
        guard let from = roundedPhaseStart, from > 0 else {
            return LearningRateSchedule(peak: learningRate, warmup: warmup, total: steps, floor: minLearningRate).rate(at: step)
        }
        if step < from {
            return LearningRateSchedule(peak: learningRate, warmup: min(warmup, from), total: from, floor: minLearningRate).rate(at: step)
        }
        let length = steps - from
        return LearningRateSchedule(peak: learningRate, warmup: min(warmup, max(length / 10, 1)), total: length,
                                    floor: minLearningRate).rate(at: step - from)
    }

    /// The first step that sees rounded weights; nil without quantization-aware training.
    public var roundedPhaseStart: Int? {
        quantizationAware == nil ? nil : min(max(quantizationAwareFrom ?? 0, 0), steps)
    }

    public var tokensPerStep: Int { batch * length * accumulation }

    /// The fields a resumed run must share with the checkpoint (its curve would change otherwise).
    func numericallyRelevant() -> TrainSettings {
        var s = self
        s.evalEvery = 0
        s.checkpointEvery = 0
        return s
    }

    func json() -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return String(decoding: (try? e.encode(self)) ?? Data(), as: UTF8.self)
    }
}

extension ModelShape: Codable {
    enum CodingKeys: String, CodingKey { case dim, layers, heads, kvHeads = "kv_heads", ffn, ropeBase = "rope_base", normEpsilon = "norm_epsilon" }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(dim: try c.decode(Int.self, forKey: .dim), layers: try c.decode(Int.self, forKey: .layers),
                  heads: try c.decode(Int.self, forKey: .heads), kvHeads: try c.decode(Int.self, forKey: .kvHeads),
                  ffn: try c.decode(Int.self, forKey: .ffn))
        ropeBase = try c.decode(Float.self, forKey: .ropeBase)
        normEpsilon = try c.decode(Float.self, forKey: .normEpsilon)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(dim, forKey: .dim)
        try c.encode(layers, forKey: .layers)
        try c.encode(heads, forKey: .heads)
        try c.encode(kvHeads, forKey: .kvHeads)
        try c.encode(ffn, forKey: .ffn)
        try c.encode(ropeBase, forKey: .ropeBase)
        try c.encode(normEpsilon, forKey: .normEpsilon)
    }
}
