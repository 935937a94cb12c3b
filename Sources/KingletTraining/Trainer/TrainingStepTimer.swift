import Foundation
import KingletKernels

/// Times one full optimizer step (forward, backward, clipping, AdamW) on random tokens: the
/// measurement behind `kinglet train-bench` and the side-by-side runs against PyTorch. With
/// `rounding`, the step sees the rounded weights as a quantization-aware run's steps do (the
/// rounding and the masters' copy back are part of the time; frozen matrices are rounded at the
/// first step only and held, as in training).
public struct TrainingStepTimer {
    let model: TrainableLlama
    let settings: TrainSettings
    let optimizer: AdamW
    let rounding: QuantizedView?

    public init(model: TrainableLlama, settings: TrainSettings, rounding: FakeQuantization? = nil) {
        self.model = model
        self.settings = settings
        optimizer = AdamW(parameterCount: model.layout.count, settings: settings.adam)
        model.frozenLayers = settings.frozenLayers
        self.rounding = rounding.map { QuantizedView(model: model, plan: $0) }
    }

    /// Seconds for one step on batch `seed`'s random tokens.
    public func run(seed: UInt64) -> Double {
        var rng = SplitMix64(state: seed &+ 0x5EED)
        let n = settings.batch * settings.length, v = UInt64(model.config.vocabularySize)
        let batch = TrainingBatch(batch: settings.batch, length: settings.length,
                                  inputs: (0 ..< n).map { _ in Int32(rng.next() % v) },
                                  targets: (0 ..< n).map { _ in Int32(rng.next() % v) },
                                  weights: [Float](repeating: 1 / Float(n), count: n))
        let start = DispatchTime.now().uptimeNanoseconds
        model.zeroGradients()
        rounding?.enter()
        model.trainStep(batch)
        rounding?.leave()
        let from = model.trainableOffset
        let norm = GradientClipping.globalNorm(model.gradients.pointer + from, count: model.layout.count - from, pool: model.pool)
        optimizer.update(model.parameters.pointer, model.gradients.pointer, layout: model.layout, lr: 1e-4,
                         gradScale: GradientClipping.scale(norm: norm, maxNorm: settings.gradientClip),
                         from: model.trainableOffset, pool: model.pool)
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
