import Foundation
import KingletGGUF
import Testing
@testable import KingletTraining

/// `--init`: a GGUF's weights become the trainable model's, and it computes what the file does.
@Suite struct PretrainedWeightsTests {
    @Test func f32FilesLoadExactly() throws {
        let tiny = TinyCheckpoint()
        let (url, _) = try ExportTests.export(try tiny.write(), .f32)
        let w = try PretrainedWeights.load(url)
        let layout = ParameterLayout(w.config)
        for t in layout.tensors {
            #expect(Array(w.parameters[t.offset ..< t.offset + t.count]) == tiny.weights[t.name]!.values, "\(t.name)")
        }
        #expect(w.shape.ffn == tiny.F && w.shape.layers == TinyCheckpoint.L)
        #expect(!w.tokenizerMetadata.isEmpty)
    }

    /// The trainable model started from a Q8_0 / Q4_0 file gives that file's logits up to the
    /// engine's rounding of activations to 8 bits (the weights are dequantized exactly as the
    /// engine reads them). Stated bound: max |Δlogit| ≤ 0.25 on this model, whose logits span
    /// about ±31 (measured 0.16 for both types); for Q4_0 that is under a tenth of the file's own
    /// quantization error (2.2 against its F32 source), and the loaded weights are the file's
    /// values, not its source's: they differ from the source by up to one quantization step.
    @Test(arguments: [ExportType.q8_0, .q4_0])
    func quantizedFilesReproduceTheirLogits(type: ExportType) throws {
        let tiny = TinyCheckpoint()
        let checkpoint = try tiny.write()
        let (f32, _) = try ExportTests.export(checkpoint, .f32)
        let (quantized, _) = try ExportTests.export(checkpoint, type)
        let probe = ExportTests.tokens
        let file = try TinyCheckpoint.logits(quantized, tokens: probe)
        let source = try TinyCheckpoint.logits(f32, tokens: probe)
        let weights = try PretrainedWeights.load(quantized)
        let trained = TrainableLlama(weights: weights, pool: nil).logits(tokens: probe)
        func maxDiff(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map { abs($0 - $1) }.max() ?? .infinity }
        let vsFile = maxDiff(trained, file), quantizationGap = maxDiff(source, file)
        let span = file.map(abs).max() ?? 0
        print("\(type.rawValue): init vs file max |Δlogit| \(vsFile); file vs its F32 source \(quantizationGap); |logit| ≤ \(span)")
        #expect(trained.count == file.count)
        #expect(vsFile <= 0.25)
        if type == .q4_0 { #expect(vsFile <= quantizationGap / 10) }
        let layout = ParameterLayout(weights.config)
        let q = layout.tensors.first { $0.name == "blk.0.ffn_down.weight" }!
        let loaded = Array(weights.parameters[q.offset ..< q.offset + q.count]), original = tiny.weights[q.name]!.values
        let step: Float = type == .q8_0 ? 0.15 / 127 : 0.15 / 7   // the tensor's scale is 0.15
        #expect(loaded != original)
        #expect(zip(loaded, original).allSatisfy { abs($0 - $1) <= step })
    }

    @Test func filesTheTrainerCannotRepresentAreRefused() throws {
        func attempt(_ edit: (inout GGUFWriter) -> Void) throws -> PretrainedWeightsError? {
            var tiny = TinyCheckpoint()
            edit(&tiny.writer)
            let url = try tiny.write()
            do { _ = try PretrainedWeights.load(url); return nil } catch { return error }
        }
        let untied = try attempt { $0.addTensor("output.weight", dims: [TinyCheckpoint.D, 8], floats: [Float](repeating: 0, count: 8 * TinyCheckpoint.D)) }
        guard case let .unsupported(_, what, hint) = untied else { Issue.record("untied head: \(String(describing: untied))"); return }
        #expect(what.contains("output.weight") && hint.contains("ties"))
        let bias = try attempt { $0.addTensor("blk.0.attn_q.bias", dims: [64], floats: [Float](repeating: 0, count: 64)) }
        guard case .unsupported = bias else { Issue.record("bias: \(String(describing: bias))"); return }
        let gemma = try attempt { $0.set("general.architecture", "gemma3") }
        guard case let .unsupported(_, arch, _) = gemma else { Issue.record("gemma: \(String(describing: gemma))"); return }
        #expect(arch.contains("gemma3"))
        // A NaN written over one norm weight of a valid file.
        let (url, _) = try ExportTests.export(try TinyCheckpoint().write(), .f32)
        let info = try GGUFFile(path: url.path).tensorInfos.first { $0.name == "blk.0.attn_norm.weight" }!
        var bytes = try Data(contentsOf: url)
        let at = try GGUFFile(path: url.path).dataOffset + info.offset + 5 * 4
        withUnsafeBytes(of: Float.nan.bitPattern.littleEndian) { bytes.replaceSubrange(at ..< at + 4, with: $0) }
        try bytes.write(to: url)
        #expect {
            _ = try PretrainedWeights.load(url)
        } throws: { error in
            guard case let .tensor(_, name, problem) = error as? PretrainedWeightsError else { return false }
            return name == "blk.0.attn_norm.weight" && problem.contains("finite")
        }
        let missing = PretrainedWeightsError.unreadable(path: "x", reason: "y")
        #expect(missing.localizedDescription.contains("Hint"))
    }

    @Test func aRunStartsFromTheFileAndTakesItsShape() throws {
        let (url, _) = try ExportTests.export(try TinyCheckpoint(feedForward: 64).write(), .f32)
        var s = TrainSettings(steps: 1, batch: 1, length: 8, preset: "init", shape: ModelShape(dim: 8, layers: 1, heads: 1, kvHeads: 1, ffn: 8))
        s.initialWeights = url.path
        let vocab = DataFixtures.configuration().tokens.count
        let model = try TrainableLlama.start(&s, vocabularySize: vocab, pool: nil)
        #expect(s.shape.ffn == 64 && s.shape.dim == TinyCheckpoint.D && model.config.feedForwardSize == 64)
        #expect(throws: PretrainedWeightsError.self) { _ = try TrainableLlama.start(&s, vocabularySize: vocab + 1, pool: nil) }
    }
}
