import Foundation
import Testing
@testable import KingletTraining

/// `TrainSettings.frozenLayers`: the embedding (and tied head) and the first N layers form no
/// gradient and keep their weights; everything above trains exactly as it would unfrozen.
struct FrozenLayersTests {
    static let config = ModelShape(dim: 16, layers: 3, heads: 4, kvHeads: 2, ffn: 24).config(vocabularySize: 29, contextLength: 8)

    static func model(frozen: Int?) -> TrainableLlama {
        let model = TrainableLlama.withLargeWeights(config)
        model.frozenLayers = frozen
        return model
    }

    static func batch() -> TrainingBatch {
        var data = TestRandom(9)
        let n = 2 * 8
        var weights = [Float](repeating: 1 / Float(n - 3), count: n)
        weights[0] = 0; weights[1] = 0; weights[9] = 0   // masked rows, as a prompt's are
        return TrainingBatch(batch: 2, length: 8, inputs: data.ints(n, below: config.vocabularySize),
                             targets: data.ints(n, below: config.vocabularySize), weights: weights)
    }

    @Test func theFrozenPrefixFormsNoGradientAndTheRestIsUnchanged() {
        let free = Self.model(frozen: nil), frozen = Self.model(frozen: 2)
        let b = Self.batch()
        for m in [free, frozen] {
            m.zeroGradients()
            m.trainStep(b)
        }
        let start = frozen.trainableOffset
        #expect(start == frozen.layout.layers[2].attentionNorm && start > 0)
        #expect((0 ..< start).allSatisfy { frozen.gradients.pointer[$0] == 0 }, "embedding and layers 0–1 have no gradient")
        #expect((0 ..< start).contains { free.gradients.pointer[$0] != 0 }, "unfrozen, they do")
        // Layer 2, the final norm: the same operations on the same values, so the same bits.
        #expect((start ..< free.layout.count).allSatisfy { free.gradients.pointer[$0] == frozen.gradients.pointer[$0] })
        #expect((start ..< free.layout.count).contains { frozen.gradients.pointer[$0] != 0 })
    }

    @Test func theOptimizerLeavesTheFrozenPrefixAsItIs() {
        let m = Self.model(frozen: 1)
        let before = Array(UnsafeBufferPointer(start: m.parameters.pointer, count: m.layout.count))
        let optimizer = AdamW(parameterCount: m.layout.count, settings: AdamWSettings())
        m.zeroGradients()
        m.trainStep(Self.batch())
        optimizer.update(m.parameters.pointer, m.gradients.pointer, layout: m.layout, lr: 1e-2, gradScale: 1,
                         from: m.trainableOffset, pool: nil)
        let start = m.trainableOffset
        #expect((0 ..< start).allSatisfy { m.parameters.pointer[$0] == before[$0] }, "weight decay included")
        #expect((start ..< m.layout.count).contains { m.parameters.pointer[$0] != before[$0] })
    }

    @Test func freezingEveryLayerLeavesTheFinalNormTraining() {
        let m = Self.model(frozen: Self.config.layerCount)
        #expect(m.trainableOffset == m.layout.outputNorm)
        m.zeroGradients()
        m.trainStep(Self.batch())
        #expect((0 ..< m.layout.outputNorm).allSatisfy { m.gradients.pointer[$0] == 0 })
        #expect((m.layout.outputNorm ..< m.layout.count).contains { m.gradients.pointer[$0] != 0 })
    }

    @Test func randomWeightsCannotBeFrozenAndTooManyLayersAreRefused() throws {
        var s = TrainSettings(steps: 1, batch: 1, length: 8, preset: "custom", shape: ModelShape(Self.config))
        s.frozenLayers = 1
        #expect(throws: PretrainedWeightsError.self) { _ = try TrainableLlama.start(&s, vocabularySize: 29, pool: nil) }
        // A model of 3 layers: 3 can be frozen, 4 cannot.
        let file = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("frozen-\(UInt64.random(in: 0 ... .max)).gguf")
        defer { try? FileManager.default.removeItem(at: file) }
        let m = Self.model(frozen: nil)
        try PretrainedWeights(config: Self.config, parameters: m.withParameters { Array($0) }, tokenizerMetadata: []).write(to: file, name: "t")
        s.initialWeights = file.path
        s.frozenLayers = 3
        _ = try TrainableLlama.start(&s, vocabularySize: 29, pool: nil)
        s.frozenLayers = 4
        #expect(throws: PretrainedWeightsError.self) { _ = try TrainableLlama.start(&s, vocabularySize: 29, pool: nil) }
    }
}
