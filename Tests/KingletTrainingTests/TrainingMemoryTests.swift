import Foundation
import KingletArchitectures
import Testing
@testable import KingletTraining

/// The memory check a run makes before allocating: its figures are the allocations' own, and a
/// run too large for the machine is a typed error naming the sizes.
@Suite struct TrainingMemoryTests {
    static let shapes = [ModelShape(dim: 32, layers: 2, heads: 4, kvHeads: 2, ffn: 48), ModelShape(dim: 64, layers: 3, heads: 4, kvHeads: 4, ffn: 96)]

    @Test(arguments: [(1, 8, true), (3, 5, true), (2, 300, true), (2, 7, false)])
    func predictsTheAllocations(batch: Int, length: Int, training: Bool) {
        for shape in Self.shapes {
            let config = shape.config(vocabularySize: 97, contextLength: length)
            let a = Activations(config: config, batch: batch, length: length, training: training)
            #expect(Activations.floatCount(config: config, batch: batch, length: length, training: training) == Double(a.allocatedFloats))
            #expect(TrainingMemory.parameterCount(config) == Double(ParameterLayout(config).count))
        }
    }

    @Test func refusesARunLargerThanMemory() throws {
        let config = Self.shapes[0].config(vocabularySize: 97, contextLength: 64)
        let need = TrainingMemory.bytes(config: config, batch: 4, length: 64)
        try TrainingMemory.check(config: config, batch: 4, length: 64, physicalMemory: UInt64(need))
        #expect(throws: TrainingMemoryError.self) {
            try TrainingMemory.check(config: config, batch: 4, length: 64, physicalMemory: UInt64(need) - 1)
        }
        // A typo'd batch on the real machine: refused before anything is allocated, sizes named.
        var settings = TrainSettings(steps: 1, batch: 1_000_000, length: 4096, preset: "nano", shape: Self.shapes[0])
        do {
            _ = try TrainableLlama.start(&settings, vocabularySize: 97, pool: nil)
            Issue.record("a batch of 1,000,000 × 4096 tokens must be refused")
        } catch let e as TrainingMemoryError {
            #expect(e.batch == 1_000_000 && e.length == 4096)
            let message = e.localizedDescription
            #expect(message.contains("1000000 × 4096 tokens") && message.contains("GiB") && message.contains("smaller batch"), "\(message)")
        }
    }
}

extension Activations {
    /// The floats this instance holds (what `floatCount` predicts).
    var allocatedFloats: Int {
        let perLayer = layers.reduce(0) { sum, l in
            sum + [l.xn1, l.rstd1, l.qkv, l.att, l.y, l.mid, l.xn2, l.rstd2, l.gateUp, l.h].reduce(0) { $0 + $1.count }
        }
        return residual.reduce(0) { $0 + $1.count } + perLayer
            + [xnFinal, rstdFinal, logits, dResidual, dxn, dy, dqkv, dh, dGateUp].reduce(0) { $0 + $1.count }
    }
}
