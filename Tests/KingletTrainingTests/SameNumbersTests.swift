import Foundation
import KingletKernels
import Testing
@testable import KingletGGUF
@testable import KingletTraining

/// A trained model, exported as F32 and run by the inference engine, gives the training forward
/// pass's logits (max |Δ| ≤ 1e-5).
@Suite struct SameNumbersTests {
    @Test func exportedF32MatchesTheTrainingForward() throws {
        let vocab = DataFixtures.configuration().tokens.count
        var s = TrainSettings(steps: 20, batch: 4, length: 32, preset: "custom",
                              shape: ModelShape(dim: 64, layers: 2, heads: 4, kvHeads: 2, ffn: 96))
        s.learningRate = 3e-3
        s.warmup = 5
        s.evalEvery = 0
        s.checkpointEvery = 0
        let config = s.shape.config(vocabularySize: vocab, contextLength: s.length)
        let model = TrainableLlama(config: config, seed: 3, pool: nil)
        var meta = GGUFWriter()
        DataFixtures.setTokenizerMetadata(&meta)
        var rng = SplitMix64(state: 9)
        let tokens = (0 ..< 4000).map { _ in Int32(rng.next() % UInt64(vocab)) }
        let dir = try DataFixtures.temporaryDirectory()
        let trainer = try Trainer(model: model, settings: s, source: ArraySource(tokens: tokens, batch: 4, length: 32, seed: 1),
                              validation: [], directory: dir, tokenizerMetadata: meta.metadata, runName: "same-numbers")
        trainer.log = { _ in }
        let summary = try trainer.run(resume: false)
        let out = dir.appendingPathComponent("student-f32.gguf")
        _ = try GGUFExporter.export(checkpoint: summary.checkpoint, to: out, type: .f32)
        let probe = Array(tokens[100 ..< 132])
        let engine = try TinyCheckpoint.logits(out, tokens: probe)
        let training = model.logits(tokens: probe)
        let diff = zip(engine, training).map { abs($0 - $1) }.max() ?? .infinity
        print("exported F32 vs training forward: max |Δlogit| = \(diff) over \(probe.count) positions × \(vocab)")
        #expect(engine.count == training.count)
        #expect(diff <= 1e-5)  // 2.4e-7 measured: the norms, RoPE, SiLU and softmax are the engine's own
    }
}
