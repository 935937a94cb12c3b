import Foundation
import KingletArchitectures
import KingletGGUF
import KingletKernels
import KingletTokenizer
import Testing
@testable import KingletTraining

@Suite("GGUF export")
struct ExportTests {
    static let tokens: [Int32] = [3, 100, 264, 7, 42, 255, 0, 12, 265, 99]

    static func export(_ checkpoint: URL, _ type: ExportType, name: String? = nil) throws -> (URL, ExportResult) {
        let out = checkpoint.deletingLastPathComponent().appendingPathComponent("student-\(type.rawValue).gguf")
        let result = try GGUFExporter.export(checkpoint: checkpoint, to: out, type: type, name: name, threads: 2)
        return (out, result)
    }

    @Test func f32ExportKeepsTheWeightsAndDropsTrainingState() throws {
        let tiny = TinyCheckpoint()
        let checkpoint = try tiny.write()
        let (url, result) = try Self.export(checkpoint, .f32)
        let source = try GGUFFile(path: checkpoint.path), exported = try GGUFFile(path: url.path)

        #expect(Set(exported.tensorInfos.map(\.name)) == Set(tiny.weights.keys))
        for (name, w) in tiny.weights {
            let t = try exported.tensor(name)
            #expect(t.type == .f32 && t.dims == w.dims, "\(name)")
            #expect(Array(t.data.bindMemory(to: Float.self)) == w.values, "\(name)")
        }
        #expect(!exported.metadataKeys.contains { $0.hasPrefix("kinglet.") })
        for key in source.metadataKeys where !key.hasPrefix("kinglet.train.") {
            #expect(exported.metadata[key] == source.metadata[key], "\(key)")
        }
        #expect(exported.metadata["general.file_type"] == .uint32(0))
        #expect(exported.metadata["general.quantization_version"] == nil)
        #expect(result.droppedKeys.sorted() == ["kinglet.train.learning_rate", "kinglet.train.rng_state", "kinglet.train.step"])
        #expect(result.droppedTensors.count == 8 && result.droppedTensors.allSatisfy { $0.hasPrefix("optimizer.") })
        #expect(result.tensorTypes == [.f32: tiny.weights.count])
        #expect(result.fallbackTensors.isEmpty)
        #expect(result.parameterCount == tiny.weights.values.reduce(0) { $0 + $1.values.count })
        #expect(result.fileBytes == (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue)

        // The exported model runs exactly as the checkpoint itself does.
        #expect(try TinyCheckpoint.logits(url, tokens: Self.tokens) == TinyCheckpoint.logits(checkpoint, tokens: Self.tokens))
        // Same vocabulary, loadable tokenizer.
        #expect(tokenizerFingerprint(try Tokenizer(gguf: exported)) == tokenizerFingerprint(try DataFixtures.tokenizer()))
    }

    @Test(arguments: [ExportType.f16, .q8_0, .q4_0])
    func quantizedExportsMatchTheQuantizerAndRun(type: ExportType) throws {
        let tiny = TinyCheckpoint()
        let checkpoint = try tiny.write()
        let (url, result) = try Self.export(checkpoint, type, name: "student")
        let exported = try GGUFFile(path: url.path)
        #expect(exported.metadata["general.file_type"] == .uint32(type.fileType))
        #expect(exported.metadata["general.quantization_version"] == (type.isQuantized ? .uint32(2) : nil))
        #expect(exported.metadata["general.name"] == .string("student"))
        for (name, w) in tiny.weights {
            let t = try exported.tensor(name)
            let want: GGMLType = w.dims.count == 1 ? .f32 : type.tensorType
            #expect(t.type == want && t.dims == w.dims, "\(name)")
            #expect(Array(t.data) == WeightQuantizer.convert(w.values, to: want), "\(name)")
        }
        #expect(result.tensorTypes == [.f32: 5, type.tensorType: tiny.weights.count - 5])

        let reference = try TinyCheckpoint.logits(checkpoint, tokens: Self.tokens)
        let got = try TinyCheckpoint.logits(url, tokens: Self.tokens)
        let scale = reference.map { abs($0) }.max()!
        let worst = zip(got, reference).map { abs($0 - $1) }.max()!
        let tolerance: Float = [ExportType.f16: 0.001, .q8_0: 0.01, .q4_0: 0.1][type]!
        #expect(worst <= tolerance * scale, "\(type): max |Δ| \(worst) for logits up to \(scale)")
        #expect(worst > 0, "\(type) changed nothing")
    }

    /// Matrices whose rows are not whole 32-element blocks fall back to F16 (and are reported).
    @Test func rowsThatAreNotWholeBlocksFallBackToF16() throws {
        let tiny = TinyCheckpoint(feedForward: 80)
        let checkpoint = try tiny.write()
        let (url, result) = try Self.export(checkpoint, .q4_0)
        #expect(result.fallbackTensors == ["blk.0.ffn_down.weight", "blk.1.ffn_down.weight"])
        #expect(result.tensorTypes == [.f32: 5, .q4_0: 13, .f16: 2])
        let exported = try GGUFFile(path: url.path)
        #expect(try exported.tensor("blk.1.ffn_down.weight").type == .f16)
        #expect(try exported.tensor("blk.1.ffn_up.weight").type == .q4_0)
        #expect(try TinyCheckpoint.logits(url, tokens: Self.tokens).count == Self.tokens.count * DataFixtures.configuration().tokens.count)
    }

    @Test func badCheckpointsAreTypedErrors() throws {
        let dir = try DataFixtures.temporaryDirectory()
        let out = dir.appendingPathComponent("out.gguf")
        func attempt(_ edit: (inout GGUFWriter) -> Void) throws -> ExportError? {
            var w = TinyCheckpoint().writer
            edit(&w)
            let url = dir.appendingPathComponent("ck.gguf")
            try w.write(to: url.path)
            do { try GGUFExporter.export(checkpoint: url, to: out, type: .q8_0) } catch { return error }
            return nil
        }
        let ck = dir.appendingPathComponent("ck.gguf").path
        #expect(try attempt { $0.set("general.architecture", "mamba") } == .unsupportedArchitecture(path: ck, architecture: "mamba"))
        #expect(try attempt { $0.set("llama.vocab_size", uint32: 266) } == nil)
        try FileManager.default.removeItem(at: out)
        if case .badCheckpoint(_, let what)? = try attempt({ $0.set("tokenizer.ggml.tokens", strings: ["a", "b"]) }) {
            #expect(what.contains("2 tokens"))
        } else { Issue.record("a vocabulary that does not match the embedding was accepted") }
        if case .badCheckpoint(_, let what)? = try attempt({ $0.set("tokenizer.ggml.model", .uint32(1)) }) {
            #expect(what.contains("no tokenizer"))
        } else { Issue.record("a checkpoint without tokenizer was accepted") }
        let nan = try attempt { $0.addTensor("blk.9.extra.weight", dims: [32, 2], floats: [Float](repeating: 0, count: 63) + [.nan]) }
        #expect(nan == .nonFiniteWeight(path: ck, tensor: "blk.9.extra.weight", index: 63))
        let half = try attempt { $0.addTensor("blk.9.half.weight", dims: [4], type: .f16, bytes: [UInt8](repeating: 0, count: 8)) }
        if case .badCheckpoint(_, let what)? = half { #expect(what.contains("F16")) } else { Issue.record("an F16 tensor was accepted") }
        #expect(!FileManager.default.fileExists(atPath: out.path))

        do {
            try GGUFExporter.export(checkpoint: dir.appendingPathComponent("missing.gguf"), to: out, type: .f16)
            Issue.record("a missing checkpoint was accepted")
        } catch {
            #expect(error.localizedDescription.contains("missing.gguf"))
        }
        let good = try TinyCheckpoint().write()
        let unwritable = dir.appendingPathComponent("no/such/folder/out.gguf")
        #expect(throws: ExportError.self) { try GGUFExporter.export(checkpoint: good, to: unwritable, type: .f16) }
    }
}
