import Foundation
import Testing
@testable import KingletTraining

/// Kinglet's loss and every gradient against PyTorch's on the same tiny llama (llm.c's test_gpt2
/// pattern). The checkpoint and PyTorch's dump are committed (Tests/Data/training); regenerate with
/// `kinglet train-bench --vocab 64 --seq 8 --shape 32,2,4,2,64 --write-initial-checkpoint DIR` and
/// `python3 scripts/pytorch_reference.py dump DIR/checkpoint.gguf pytorch-reference.json`.
@Suite struct PyTorchReferenceTests {
    struct Dump: Decodable {
        var batch: Int
        var length: Int
        var inputs: [Int32]
        var targets: [Int32]
        var loss: Double
        var torch: String
        var grads: [String: [Float]]
    }

    static var dataDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Data/training")
    }

    @Test func lossAndEveryGradientMatchPyTorch() throws {
        let ck = try TrainingCheckpoint.read(Self.dataDirectory.appendingPathComponent("tiny-checkpoint.gguf"))
        let dump = try JSONDecoder().decode(Dump.self, from: Data(contentsOf: Self.dataDirectory.appendingPathComponent("pytorch-reference.json")))
        let model = TrainableLlama(config: ck.config, seed: 0, pool: nil)
        ck.parameters.withUnsafeBufferPointer { model.setParameters($0) }
        let n = dump.batch * dump.length
        let batch = TrainingBatch(batch: dump.batch, length: dump.length, inputs: dump.inputs, targets: dump.targets,
                                  weights: [Float](repeating: 1 / Float(n), count: n))
        model.zeroGradients()
        let r = model.trainStep(batch)
        let loss = r.loss / r.weight
        print("PyTorch \(dump.torch): loss \(dump.loss), Kinglet \(loss), |Δ| \(abs(loss - dump.loss))")
        #expect(abs(loss - dump.loss) < 1e-5)
        #expect(dump.grads.count == model.layout.tensors.count)
        for t in model.layout.tensors {
            let reference = try #require(dump.grads[t.name], "PyTorch dump has no gradient for \(t.name)")
            let ours = (0 ..< t.count).map { Double(model.gradients.pointer[t.offset + $0]) }
            let e = relativeError(reference.map(Double.init), ours)
            print("PyTorch gradient \(t.name): relative error \(String(format: "%.2e", e))")
            #expect(e < 1e-4, "\(t.name)")
        }
    }
}
