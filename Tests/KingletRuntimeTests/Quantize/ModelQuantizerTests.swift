import Foundation
import KingletGGUF
import KingletRuntime
import Testing

/// `ModelQuantizer` against llama-quantize's output on the same F32 model, byte for byte, and its
/// refusals.
@Suite("Model quantizer")
struct ModelQuantizerTests {
    static let types: [QuantizeFileType] = QuantizeFileType.allCases

    /// Every type (legacy, K-quant single types and the mixtures, F32/F16/BF16) gives the very
    /// file llama-quantize gives: metadata, tensor order, types, alignment and bytes.
    @Test(arguments: types)
    func matchesLlamaQuantizeByteForByte(type: QuantizeFileType) throws {
        let want = try #require(try QuantizeFixture.expected()[type.rawValue])
        let dir = try QuantizeFixture.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.gguf").path
        let result = try ModelQuantizer(input: QuantizeFixture.model, output: out, fileType: type).run(threads: 2)
        let sha = try QuantizeFixture.sha256(path: out)
        #expect(sha == want.sha256, "\(type): \((try? QuantizeFixture.tensorDifferences(path: out, want)) ?? [])")
        #expect(result.tensors == 30)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.gguf"])  // no temporary file left
    }

    /// A quantized input is dequantized and quantized again, as llama-quantize --allow-requantize
    /// does: the F16 file (itself checked above) to Q4_K_M.
    @Test func requantizesAnF16File() throws {
        let want = try #require(try QuantizeFixture.expected()["F16-Q4_K_M"])
        let dir = try QuantizeFixture.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let f16 = dir.appendingPathComponent("f16.gguf").path, out = dir.appendingPathComponent("q4km.gguf").path
        _ = try ModelQuantizer(input: QuantizeFixture.model, output: f16, fileType: .f16).run()
        let quantizer = try ModelQuantizer(input: f16, output: out, fileType: .q4_K_M)
        #expect(!quantizer.requantizes)  // F16 is not block-quantized: nothing is lost twice
        _ = try quantizer.run()
        #expect(try QuantizeFixture.sha256(path: out) == want.sha256, "\((try? QuantizeFixture.tensorDifferences(path: out, want)) ?? [])")

        let twice = try ModelQuantizer(input: out, output: dir.appendingPathComponent("again.gguf").path, fileType: .q8_0)
        #expect(twice.requantizes)
        let back = try ModelQuantizer(input: out, output: dir.appendingPathComponent("f32.gguf").path, fileType: .f32)
        #expect(!back.requantizes)  // dequantizing loses nothing more
    }

    /// The mixture on the fixture: output head Q6_K, tied-embedding rules off (output.weight is
    /// present), attn_v in Q6_K in the layer use_more_bits picks (2 of 3), ffn_down rows of 32
    /// falling back Q4_K → Q5_0 and Q6_K → Q8_0, attn_output rows of 8 falling back to F16.
    @Test func q4KMPlanFollowsLlamaCppsRules() throws {
        let q = try ModelQuantizer(input: QuantizeFixture.model, output: "/tmp/unused.gguf", fileType: .q4_K_M)
        let types = Dictionary(uniqueKeysWithValues: q.plan.entries.map { ($0.name, $0.to) })
        #expect(types["output.weight"] == .q6_K)
        #expect(types["token_embd.weight"] == .q4_K)
        #expect(types["output_norm.weight"] == .f32)
        #expect((0..<3).map { types["blk.\($0).attn_v.weight"] } == [.q4_K, .q4_K, .q6_K])
        #expect((0..<3).map { types["blk.\($0).ffn_down.weight"] } == [.q5_0, .q5_0, .q8_0])
        #expect(types["blk.0.attn_output.weight"] == .f16)
        #expect(q.plan.entries.first?.name == "output.weight")  // llama.cpp's order, not the file's
    }

    @Test func refusesAFileThatIsNotGGUF() throws {
        let dir = try QuantizeFixture.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.gguf")
        try Data("not a model at all".utf8).write(to: bad)
        #expect {
            _ = try ModelQuantizer(input: bad.path, output: dir.appendingPathComponent("o.gguf").path, fileType: .q8_0)
        } throws: { error in
            guard case .input(_, .badMagic)? = error as? QuantizeError else { return false }
            return (error as? QuantizeError)?.errorDescription?.contains("not a GGUF file") == true
        }
    }

    @Test func refusesToOverwriteItsInput() {
        #expect(throws: QuantizeError.sameFile(path: QuantizeFixture.model)) {
            _ = try ModelQuantizer(input: QuantizeFixture.model, output: QuantizeFixture.model, fileType: .q8_0)
        }
    }

    @Test func parsesTypeNamesAsLlamaQuantize() {
        #expect(QuantizeFileType(name: "q4_k_m") == .q4_K_M)
        #expect(QuantizeFileType(name: "Q4_K") == .q4_K_M)
        #expect(QuantizeFileType(name: "Q3_K") == .q3_K_M)
        #expect(QuantizeFileType(name: "IQ2_XXS") == nil)
        #expect(QuantizeError.unsupportedType("IQ2_XXS").errorDescription?.contains("Q4_K_M") == true)
        #expect(QuantizeFileType.q4_K_M.llamaFileType == 15 && QuantizeFileType.q8_0.llamaFileType == 7)
    }

    /// NaN in a weight is refused with the tensor and row named, and no output is left behind.
    @Test func refusesNonFiniteWeights() throws {
        let dir = try QuantizeFixture.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        var w = GGUFWriter()
        w.set("general.architecture", "llama")
        var values = [Float](repeating: 0.5, count: 64 * 3)
        values[64 * 2 + 5] = .nan
        w.addTensor("blk.0.ffn_up.weight", dims: [64, 3], floats: values)
        let input = dir.appendingPathComponent("nan.gguf").path, out = dir.appendingPathComponent("o.gguf").path
        try w.write(to: input)
        #expect(throws: QuantizeError.nonFiniteValue(tensor: "blk.0.ffn_up.weight", row: 2)) {
            _ = try ModelQuantizer(input: input, output: out, fileType: .q8_0).run()
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["nan.gguf"])
    }

    /// A tensor whose rows are not whole blocks of its own type is refused before anything is written.
    @Test func refusesRowsThatAreNotWholeBlocks() throws {
        let dir = try QuantizeFixture.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        var w = GGUFWriter()
        w.set("general.architecture", "llama")
        w.addTensor("blk.0.ffn_up.weight", dims: [48, 2], type: .q4_0, bytes: [UInt8](repeating: 0, count: 3 * 18))
        let input = dir.appendingPathComponent("odd.gguf").path
        try w.write(to: input)
        #expect {
            _ = try ModelQuantizer(input: input, output: dir.appendingPathComponent("o.gguf").path, fileType: .q8_0)
        } throws: { error in
            guard case .input(_, .badTensor(let name, let reason))? = error as? QuantizeError else { return false }
            return name == "blk.0.ffn_up.weight" && reason.contains("not a whole number of Q4_0 blocks")
        }
    }

    /// A cancelled run throws `.cancelled` and leaves neither the output nor its temporary file;
    /// progress arrives once per tensor until then.
    @Test func cancellationLeavesNothing() throws {
        let dir = try QuantizeFixture.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("o.gguf").path
        let q = try ModelQuantizer(input: QuantizeFixture.model, output: out, fileType: .q4_K_M)
        var seen: [Int] = []
        #expect(throws: QuantizeError.cancelled) {
            _ = try q.run { p in
                seen.append(p.tensor)
                if p.tensor == 3 { q.cancel() }
            }
        }
        #expect(seen == [1, 2, 3])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
}
