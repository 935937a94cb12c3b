import Foundation
import KingletKernels
import Testing
@testable import KingletTraining

/// `QuantizedView` holds the frozen matrices rounded across steps (they never change) and rounds
/// the trainable ones every step: the steps are the ones of rounding everything every step.
struct QuantizedViewTests {
    static let config = ModelShape(dim: 32, layers: 3, heads: 4, kvHeads: 2, ffn: 64).config(vocabularySize: 40, contextLength: 8)

    static func model() -> TrainableLlama {
        let m = TrainableLlama.withLargeWeights(config)
        m.frozenLayers = 2
        return m
    }

    static func plan(_ m: TrainableLlama) throws -> FakeQuantization {
        let entries = m.layout.tensors.filter { $0.rows > 1 && $0.cols % 32 == 0 }
            .map { FakeQuantization.Entry(name: $0.name, offset: $0.offset, rows: $0.rows, cols: $0.cols, type: .q4_1) }
        return try FakeQuantization(target: "Q4_1", entries: entries, layout: m.layout)
    }

    static func bits(_ m: TrainableLlama, _ range: Range<Int>) -> [UInt32] {
        range.map { m.parameters.pointer[$0].bitPattern }
    }

    @Test func frozenMatricesRoundedOnceTrainAsRoundingEveryStep() throws {
        let held = Self.model(), everyStep = Self.model()
        let plan = try Self.plan(held)
        let frozen = 0 ..< held.trainableOffset, all = 0 ..< held.layout.count
        #expect(plan.entries.contains { $0.offset + $0.rows * $0.cols <= frozen.upperBound }, "the embedding and layers 0–1 are rounded")
        #expect(plan.entries.contains { $0.offset >= frozen.upperBound }, "and so is layer 2")
        let masters = Self.bits(held, all)
        let views = [QuantizedView(model: held, plan: plan), QuantizedView(model: everyStep, plan: plan, keepsFrozenRounded: false)]
        let optimizers = [held, everyStep].map { AdamW(parameterCount: $0.layout.count, settings: AdamWSettings()) }
        var data = TestRandom(5)
        for _ in 0 ..< 3 {
            let batch = TrainingBatch(batch: 2, length: 8, inputs: data.ints(16, below: Self.config.vocabularySize),
                                      targets: data.ints(16, below: Self.config.vocabularySize),
                                      weights: [Float](repeating: 1 / 16, count: 16))
            for (i, m) in [held, everyStep].enumerated() {
                m.zeroGradients()
                views[i].enter()
                m.trainStep(batch)
                views[i].leave()
                optimizers[i].update(m.parameters.pointer, m.gradients.pointer, layout: m.layout, lr: 1e-2, gradScale: 1,
                                     from: m.trainableOffset, pool: nil)
            }
            #expect((0 ..< held.layout.count).allSatisfy { held.gradients.pointer[$0].bitPattern == everyStep.gradients.pointer[$0].bitPattern })
            #expect(Self.bits(held, frozen) != Array(masters[frozen]), "between steps the frozen matrices stay rounded")
            #expect(Self.bits(everyStep, frozen) == Array(masters[frozen]))
        }
        #expect(Self.bits(held, frozen.upperBound ..< all.upperBound) == Self.bits(everyStep, frozen.upperBound ..< all.upperBound))
        views[0].restoreFrozen()
        #expect(Self.bits(held, all) == Self.bits(everyStep, all))
        #expect(Self.bits(held, frozen) == Array(masters[frozen]), "the masters come back whole")
    }

    /// Freezing fewer layers between steps gives the layers that now train their masters back
    /// before they are rounded again (as a step that rounds everything would see them).
    @Test func aChangedFrozenPrefixIsRoundedAfresh() throws {
        let m = Self.model()
        let plan = try Self.plan(m)
        let masters = Self.bits(m, 0 ..< m.layout.count)
        let view = QuantizedView(model: m, plan: plan)
        view.enter()
        view.leave()
        let heldTwo = m.trainableOffset
        m.frozenLayers = 1
        view.enter()
        // Everything is rounded, from the masters: the same bits as rounding them afresh.
        var rounded = masters.map { Float(bitPattern: $0) }
        masters.map { Float(bitPattern: $0) }.withUnsafeBufferPointer { src in
            rounded.withUnsafeMutableBufferPointer { plan.round(src.baseAddress!, into: $0.baseAddress!, pool: nil) }
        }
        #expect(Self.bits(m, 0 ..< m.layout.count) == rounded.map(\.bitPattern))
        view.leave()
        #expect(Self.bits(m, m.trainableOffset ..< heldTwo) == Array(masters[m.trainableOffset ..< heldTwo]), "layer 1 trains again: its masters")
        view.restoreFrozen()
        #expect(Self.bits(m, 0 ..< m.layout.count) == masters)
    }

    /// A trainer's checkpoint and the model after `run` hold the masters, not the held rounding.
    @Test func theTrainerLeavesAndSavesTheMasters() throws {
        let m = Self.model()
        let plan = try Self.plan(m)
        let frozenMasters = Self.bits(m, 0 ..< m.trainableOffset)
        var settings = TrainSettings(steps: 2, batch: 2, length: 8, preset: "custom",
                                     shape: ModelShape(dim: 32, layers: 3, heads: 4, kvHeads: 2, ffn: 64))
        settings.frozenLayers = 2
        settings.warmup = 0
        settings.evalEvery = 0
        settings.checkpointEvery = 1
        settings.quantizationAware = plan.target
        var data = TestRandom(6)
        let batch = TrainingBatch(batch: 2, length: 8, inputs: data.ints(16, below: Self.config.vocabularySize),
                                  targets: data.ints(16, below: Self.config.vocabularySize), weights: [Float](repeating: 1 / 16, count: 16))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("qview-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let trainer = try Trainer(model: m, settings: settings, source: RepeatedBatch(batch), validation: [], directory: dir,
                                  tokenizerMetadata: [], runName: "qview", fakeQuantization: plan)
        let summary = try trainer.run(resume: false)
        #expect(summary.steps == 2 && summary.stepSeconds > 0)
        #expect(Self.bits(m, 0 ..< m.trainableOffset) == frozenMasters)
        let ck = try TrainingCheckpoint.read(summary.checkpoint)
        #expect(ck.parameters[0 ..< m.trainableOffset].map(\.bitPattern) == frozenMasters)
    }
}

/// The same batch every time.
private final class RepeatedBatch: BatchSource {
    let batch: TrainingBatch
    var state: [UInt64] = [0]
    func restore(state: [UInt64]) {}
    init(_ batch: TrainingBatch) { self.batch = batch }
    func next() throws -> TrainingBatch { batch }
}
