/// Where batches come from: random training batches from a seeded sampler whose state the
/// checkpoint saves, so a resumed run draws exactly the batches an uninterrupted one would.
public protocol BatchSource: AnyObject {
    /// The next training batch; its weights sum to 1 (the mean over the rows that count).
    func next() throws -> TrainingBatch
    /// The sampler's RNG state (a checkpoint saves it).
    var state: [UInt64] { get }
    /// Continues from a state saved from `state`; throws on one this source could not have saved
    /// (a damaged checkpoint, or one of another kind of source), so a resume never goes on
    /// silently with other batches.
    func restore(state: [UInt64]) throws
}

/// What a step optimizes and how a model is evaluated. Plain training uses `CrossEntropyObjective`;
/// distillation supplies its own (teacher targets ride along with each batch).
public protocol TrainingObjective {
    /// Forward + backward on one batch, gradients accumulated; returns (Σ weight·loss, Σ weight).
    func train(_ model: TrainableLlama, _ batch: TrainingBatch) throws -> (loss: Double, weight: Double)
    /// Named validation figures (e.g. ["val_loss": 3.2]).
    func evaluate(_ model: TrainableLlama, _ batches: [TrainingBatch]) throws -> [String: Double]
    /// The figure the progress line shows as "val".
    var headlineMetric: String { get }
}

/// Next-token cross-entropy.
public struct CrossEntropyObjective: TrainingObjective {
    public init() {}

    public func train(_ model: TrainableLlama, _ batch: TrainingBatch) -> (loss: Double, weight: Double) {
        model.trainStep(batch)
    }

    public func evaluate(_ model: TrainableLlama, _ batches: [TrainingBatch]) -> [String: Double] {
        var loss = 0.0, weight = 0.0
        for b in batches {
            let r = model.evaluate(b)
            loss += r.loss
            weight += r.weight
        }
        return ["val_loss": weight > 0 ? loss / weight : .nan]
    }

    public var headlineMetric: String { "val_loss" }
}
