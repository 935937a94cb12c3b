import Foundation
import KingletArchitectures
import KingletGGUF
import KingletKernels
import KingletRuntime
import KingletTraining
import Testing
@testable import KingletDistill

/// Quantization-aware training: what a step sees is what the shipped file holds, and the
/// optimizer's masters are never left rounded.
struct QuantizationAwareTests {
    static let vocabulary = 96

    static func model(seed: UInt64 = 3) -> TrainableLlama {
        let shape = ModelShape(dim: 64, layers: 2, heads: 4, kvHeads: 2, ffn: 96)
        return TrainableLlama(config: shape.config(vocabularySize: vocabulary, contextLength: 32), seed: seed, pool: nil)
    }

    /// The plan follows `kinglet quantize`'s rules: Q4_1 matrices, the tied 64-wide embedding at
    /// Q8_0 (Q6_K needs rows of 256), norms untouched.
    @Test func thePlanIsTheQuantizersTypes() throws {
        let m = Self.model()
        let plan = try FakeQuantization(layout: m.layout, fileType: .q4_1)
        #expect(plan.target == "Q4_1")
        let types = Dictionary(uniqueKeysWithValues: plan.entries.map { ($0.name, $0.type) })
        #expect(types["token_embd.weight"] == .q8_0)
        #expect(types["blk.0.attn_q.weight"] == .q4_1 && types["blk.1.ffn_down.weight"] == .q4_1)
        #expect(!types.keys.contains { $0.hasSuffix("_norm.weight") })
        #expect(plan.entries.count == 1 + 2 * 7)
    }

    /// Rounded weights equal, bit for bit, the dequantized tensors of the file `kinglet quantize`
    /// writes from the same F32 weights.
    @Test(arguments: [QuantizeFileType.q4_1, .q4_0, .q5_1, .q8_0])
    func roundedWeightsAreTheShippedFilesWeights(_ fileType: QuantizeFileType) throws {
        let m = Self.model()
        let plan = try FakeQuantization(layout: m.layout, fileType: fileType)
        let masters = m.withParameters { Array($0) }
        var rounded = masters
        masters.withUnsafeBufferPointer { src in
            rounded.withUnsafeMutableBufferPointer { plan.round(src.baseAddress!, into: $0.baseAddress!, pool: nil) }
        }
        let dir = try TeacherTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let f32 = dir.appendingPathComponent("f32.gguf").path, quantized = dir.appendingPathComponent("q.gguf").path
        var w = GGUFWriter()
        w.set("general.architecture", "llama")
        w.set("llama.block_count", uint32: 2)
        w.set("llama.attention.head_count", uint32: 4)
        w.set("llama.attention.head_count_kv", uint32: 2)
        m.layout.addTensors(masters, to: &w)
        try w.write(to: f32)
        _ = try ModelQuantizer(input: f32, output: quantized, fileType: fileType).run(threads: 1)
        let file = try GGUFFile(path: quantized)
        var compared = 0
        for t in m.layout.tensors {
            let tensor = try file.tensor(t.name)
            var values = [Float](repeating: 0, count: t.count)
            if tensor.info.type == .f32 {
                values = Array(tensor.data.bindMemory(to: Float.self))
            } else {
                let type = try #require(QuantType(rawValue: tensor.info.type.rawValue))
                let rowBytes = type.rowBytes(cols: t.cols)
                values.withUnsafeMutableBufferPointer { out in
                    for r in 0 ..< t.rows {
                        ReferenceKernels.dequantizeRow(type, tensor.data.baseAddress! + r * rowBytes, into: out.baseAddress! + r * t.cols, count: t.cols)
                    }
                }
                compared += 1
            }
            #expect(values.map(\.bitPattern) == rounded[t.offset ..< t.offset + t.count].map(\.bitPattern), "\(t.name)")
        }
        #expect(compared == plan.entries.count)
        #expect(rounded != masters)
    }

    /// A step's loss is the rounded model's loss; with a zero learning rate the masters come back
    /// unchanged (not rounded); settings and plan must agree.
    @Test func aStepSeesTheRoundedWeightsAndKeepsTheMasters() throws {
        let m = Self.model()
        let plan = try FakeQuantization(layout: m.layout, fileType: .q4_1)
        let masters = m.withParameters { Array($0) }
        var settings = TrainSettings(steps: 1, batch: 2, length: 16, preset: "custom",
                                     shape: ModelShape(dim: 64, layers: 2, heads: 4, kvHeads: 2, ffn: 96))
        settings.learningRate = 0
        settings.minLearningRate = 0
        settings.warmup = 0
        settings.evalEvery = 0
        settings.checkpointEvery = 0
        settings.quantizationAware = plan.target
        let batch = FixedBatches.batch(vocabulary: Self.vocabulary, batch: 2, length: 16)

        // The loss of a copy whose parameters are the rounded ones.
        let copy = Self.model()
        var rounded = masters
        masters.withUnsafeBufferPointer { src in
            rounded.withUnsafeMutableBufferPointer { plan.round(src.baseAddress!, into: $0.baseAddress!, pool: nil) }
        }
        rounded.withUnsafeBufferPointer { copy.setParameters($0) }
        let expected = copy.evaluate(batch)
        let full = m.evaluate(batch)

        let dir = try TeacherTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var seen: [String] = []
        let trainer = try Trainer(model: m, settings: settings, source: FixedBatches(batch), validation: [], directory: dir,
                                  tokenizerMetadata: [], runName: "qat", fakeQuantization: plan)
        trainer.log = { seen.append($0) }
        let summary = try trainer.run(resume: false)
        #expect(summary.finalLoss == expected.loss / expected.weight)
        #expect(summary.finalLoss != full.loss / full.weight)
        #expect(m.withParameters { Array($0) }.map(\.bitPattern) == masters.map(\.bitPattern))

        #expect(throws: TrainError.self) {
            _ = try Trainer(model: m, settings: settings, source: FixedBatches(batch), validation: [], directory: dir,
                            tokenizerMetadata: [], runName: "qat")
        }
    }

    @Test func aPlanThatDoesNotFitIsRefused() throws {
        let m = Self.model()
        #expect(throws: FakeQuantizationError.rowsNotWholeBlocks(tensor: "x", cols: 48, type: "Q4_1", blockSize: 32)) {
            _ = try FakeQuantization(target: "Q4_1", entries: [.init(name: "x", offset: 0, rows: 2, cols: 48, type: .q4_1)], layout: m.layout)
        }
        #expect(throws: FakeQuantizationError.self) {
            _ = try FakeQuantization(target: "Q4_1", entries: [.init(name: "x", offset: m.layout.count - 32, rows: 2, cols: 32, type: .q4_1)],
                                     layout: m.layout)
        }
    }
}

/// The same batch every time.
final class FixedBatches: BatchSource {
    let batch: TrainingBatch
    var state: [UInt64] = [0]
    func restore(state: [UInt64]) {}
    init(_ batch: TrainingBatch) { self.batch = batch }
    func next() throws -> TrainingBatch { batch }

    static func batch(vocabulary: Int, batch: Int, length: Int) -> TrainingBatch {
        let n = batch * length
        let inputs = (0 ..< n).map { Int32(($0 * 7 + 3) % vocabulary) }
        let targets = (0 ..< n).map { Int32(($0 * 7 + 10) % vocabulary) }
        return TrainingBatch(batch: batch, length: length, inputs: inputs, targets: targets,
                             weights: [Float](repeating: 1 / Float(n), count: n))
    }
}
