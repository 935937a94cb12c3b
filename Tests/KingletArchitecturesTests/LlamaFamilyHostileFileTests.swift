import Foundation
import KingletArchitectures
import KingletGGUF
import KingletKernels
import KingletTestSupport
import Testing

/// The llama family's new tensors and keys, broken one at a time in a copy of a fixture: each is
/// refused at load with a typed error naming it, never a crash or a silent misread.
@Suite struct LlamaFamilyHostileFileTests {
    /// A fixture's model with metadata `set` (nil: removed) and tensors `replace`d (nil: removed;
    /// otherwise F32 values of the given GGUF dims), loaded.
    static func load(_ architecture: String, set: [String: GGUFValue?] = [:],
                     replace: [String: (dims: [Int], values: [Float])?] = [:], context: Int? = nil) throws {
        let path = try ArchitectureFixture.rewrite(architecture, set: set, replace: replace)
        defer { unlink(path) }
        _ = try ArchitectureRegistry.load(try GGUFFile(path: path),
                                          options: ModelLoadOptions(contextLength: context, pool: ThreadPool(threads: 1)))
    }

    static func ones(_ n: Int) -> [Float] { Array(repeating: 1, count: n) }

    @Test func fixturesLoadUnchanged() throws {
        for a in ["qwen2", "qwen3", "phi3", "llama"] { try Self.load(a) }
    }

    /// The RoPE scaling keys survive `ModelConfig.write` (checkpoints, export) and are read back.
    @Test func ropeScalingRoundTrips() throws {
        var c = ModelConfig(architecture: "phi3", layerCount: 2, embeddingSize: 32, headCount: 2, kvHeadCount: 1,
                            feedForwardSize: 64, vocabularySize: 10, contextLength: 128)
        c.ropeScaling = RoPEScalingConfig(kind: .longrope, factor: 2, attentionFactor: 1.19, originalContextLength: 32)
        var w = GGUFWriter()
        c.write(into: &w)
        let bytes = w.serialized()
        let back = try bytes.withUnsafeBytes { b throws -> ModelConfig in
            try ModelConfig(gguf: try GGUFFile(bytes: b, owner: nil), architecture: "phi3")
        }
        #expect(back.ropeScaling == c.ropeScaling)
        var plain = ModelConfig(architecture: "llama", layerCount: 2, embeddingSize: 32, headCount: 2, kvHeadCount: 1,
                                feedForwardSize: 64, vocabularySize: 10, contextLength: 128)
        var w2 = GGUFWriter()
        plain.write(into: &w2)
        #expect(!w2.metadata.contains { $0.key.contains("rope.scaling") }, "no scaling, no keys")
        plain.ropeScaling.kind = .none
        #expect(plain.ropeScaling != RoPEScalingConfig())
    }

    /// A tensor type no kernel computes with, and an architecture no file describes: typed errors
    /// that name it and list what is supported.
    @Test func unsupportedTensorTypeAndArchitecture() throws {
        // qwen2: ffn_down is [D 96, F 224]; IQ4_NL blocks are 32 elements in 18 bytes.
        let path = try ArchitectureFixture.rewrite(
            "qwen2", raw: ["blk.0.ffn_down.weight": (dims: [224, 96], type: .iq4_NL, bytes: [UInt8](repeating: 0, count: 96 * 7 * 18))])
        defer { unlink(path) }
        do {
            _ = try ArchitectureRegistry.load(try GGUFFile(path: path), options: ModelLoadOptions(pool: ThreadPool(threads: 1)))
            Issue.record("an IQ4_NL tensor loaded")
        } catch let error as ModelError {
            #expect(error == .unsupportedTensorType(name: "blk.0.ffn_down.weight", type: "IQ4_NL"))
            let text = error.errorDescription ?? ""
            for type in ["Q4_0", "Q5_0", "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "BF16"] {
                #expect(text.contains(type), "the supported list names \(type): \(text)")
            }
            #expect(!text.contains("Q8_K"), "Q8_K is an activation type, never a weight: \(text)")
        }
        #expect(throws: ModelError.unsupportedArchitecture("mamba", supported: ArchitectureRegistry.supported)) {
            try Self.load("qwen2", set: ["general.architecture": .string("mamba")])
        }
        #expect(Set(["gemma3", "llama", "phi3", "qwen2", "qwen3"]).isSubset(of: Set(ArchitectureRegistry.supported)))
    }

    /// A tensor the architecture would not read (here a bias llama.cpp applies to some files) is
    /// refused by name, never silently dropped.
    @Test(arguments: ["qwen2", "phi3", "llama", "gemma3"])
    func aTensorTheArchitectureDoesNotUseIsRefused(_ architecture: String) throws {
        try Self.load(architecture)  // the fixture as written uses every tensor it holds
        #expect(throws: ModelError.unusedTensor(name: "blk.0.attn_output.bias", architecture: architecture)) {
            try Self.load(architecture, replace: ["blk.0.attn_output.bias": ([7], Self.ones(7))])
        }
    }

    @Test func fusedTensorsOfTheWrongShape() {
        // phi3: D 96, H·Dh 96, Hkv·Dh 32, F 224.
        #expect(throws: ModelError.badTensorShape(name: "blk.1.attn_qkv.weight", expected: [96, 160], found: [96, 150])) {
            try Self.load("phi3", replace: ["blk.1.attn_qkv.weight": ([96, 150], Self.ones(96 * 150))])
        }
        #expect(throws: ModelError.badTensorShape(name: "blk.0.ffn_up.weight", expected: [96, 448], found: [96, 224])) {
            try Self.load("phi3", replace: ["blk.0.ffn_up.weight": ([96, 224], Self.ones(96 * 224))])
        }
        #expect(throws: ModelError.badTensorShape(name: "blk.2.attn_qkv.bias", expected: [160], found: [96])) {
            try Self.load("phi3", replace: ["blk.2.attn_qkv.bias": ([96], Self.ones(96))])
        }
    }

    @Test func biasesAndNormsOfTheWrongShapeOrMissing() {
        #expect(throws: ModelError.badTensorShape(name: "blk.0.attn_k.bias", expected: [32], found: [33])) {
            try Self.load("qwen2", replace: ["blk.0.attn_k.bias": ([33], Self.ones(33))])
        }
        #expect(throws: ModelError.missingTensor("blk.2.attn_q_norm.weight")) {
            try Self.load("qwen3", replace: ["blk.2.attn_q_norm.weight": nil])
        }
        #expect(throws: ModelError.badTensorShape(name: "blk.0.attn_k_norm.weight", expected: [32], found: [16])) {
            try Self.load("qwen3", replace: ["blk.0.attn_k_norm.weight": ([16], Self.ones(16))])
        }
    }

    @Test func ropeFrequencyFactors() {
        // llama: rope dimensions 32, so 16 factors.
        #expect(throws: ModelError.badTensorShape(name: "rope_freqs.weight", expected: [16], found: [15])) {
            try Self.load("llama", replace: ["rope_freqs.weight": ([15], Self.ones(15))])
        }
        for bad: Float in [0, -1, .nan, .infinity] {
            var f = Self.ones(16)
            f[7] = bad
            let error = #expect(throws: ModelError.self) { try Self.load("llama", replace: ["rope_freqs.weight": ([16], f)]) }
            guard case .badTensorValue(let name, let index, _)? = error else {
                Issue.record("factor \(bad): \(String(describing: error))")
                continue
            }
            #expect(name == "rope_freqs.weight" && index == 7)
        }
    }

    /// The optional hyper-parameters: absent, each takes its default; present, it must be a number
    /// in range. A string or a zero there was read as absent (or as itself), silently, before.
    @Test func optionalHyperParametersThatAreNotNumbersInRangeAreRefused() {
        let integer = "an integer in 1...2^30", positive = "a finite positive number"
        let cases: [(key: String, value: GGUFValue, expected: String)] = [
            ("llama.attention.head_count_kv", .string("2"), integer),
            ("llama.attention.head_count_kv", .uint32(0), integer),
            ("llama.attention.key_length", .array(.uint32, [.uint32(8)]), integer),
            ("llama.context_length", .int32(-5), "a positive integer"),
            ("llama.rope.dimension_count", .string("8"), integer),
            ("llama.vocab_size", .string("10"), integer),
            ("llama.rope.freq_base", .string("10000"), positive),
            ("llama.rope.freq_base", .float32(.nan), positive),
            ("llama.attention.layer_norm_rms_epsilon", .float32(0), positive),
            ("llama.attention.layer_norm_rms_epsilon", .bool(true), positive),
        ]
        for c in cases {
            #expect(throws: ModelError.badMetadata(key: c.key, expected: c.expected), "\(c.key) = \(c.value)") {
                try Self.load("llama", set: [c.key: c.value])
            }
        }
        // Absent, each has its default: the fixture loads without them (its head_count_kv differs
        // from head_count, the default, so it stays).
        #expect(throws: Never.self) {
            try Self.load("llama", set: ["llama.context_length": nil,
                                         "llama.rope.freq_base": nil, "llama.attention.layer_norm_rms_epsilon": nil])
        }
    }

    @Test func ropeScalingKeys() {
        #expect(throws: ModelError.self) { try Self.load("llama", set: ["llama.rope.scaling.type": .string("yarn")]) }
        #expect(throws: ModelError.self) { try Self.load("llama", set: ["llama.rope.scaling.type": .uint32(1)]) }
        for bad: Float in [-2, .nan, .infinity] {
            #expect(throws: ModelError.badMetadata(key: "llama.rope.scaling.factor", expected: "a finite number ≥ 0")) {
                try Self.load("llama", set: ["llama.rope.scaling.type": .string("linear"), "llama.rope.scaling.factor": .float32(bad)])
            }
            #expect(throws: ModelError.badMetadata(key: "qwen2.rope.scaling.attn_factor", expected: "a finite number ≥ 0")) {
                try Self.load("qwen2", set: ["qwen2.rope.scaling.attn_factor": .float32(bad)])
            }
        }
        #expect(throws: ModelError.badMetadata(key: "phi3.rope.scaling.original_context_length", expected: "an integer in 1...2^30")) {
            try Self.load("phi3", set: ["phi3.rope.scaling.original_context_length": .uint32(0)])
        }
        // LongRoPE (the phi3 fixture: original context 32, factors [8]): the long factors beyond
        // the original context, the short ones within it, each required then.
        #expect(throws: ModelError.missingTensor("rope_factors_long.weight")) {
            try Self.load("phi3", replace: ["rope_factors_long.weight": nil])
        }
        #expect(throws: ModelError.badTensorShape(name: "rope_factors_short.weight", expected: [8], found: [9])) {
            try Self.load("phi3", replace: ["rope_factors_short.weight": ([9], Self.ones(9))], context: 32)
        }
        #expect(throws: ModelError.missingTensor("rope_factors_short.weight")) {
            try Self.load("llama", set: ["llama.rope.scaling.type": .string("longrope")], replace: ["rope_freqs.weight": nil])
        }
    }
}

extension ArchitectureFixture {
    /// A temporary copy of fixture `architecture`'s model with metadata `set` (nil: removed) and
    /// tensors `replace`d (nil: removed; otherwise F32 values of the given GGUF dims). The caller
    /// removes the file.
    static func rewrite(_ architecture: String, set: [String: GGUFValue?] = [:],
                        replace: [String: (dims: [Int], values: [Float])?] = [:],
                        raw: [String: (dims: [Int], type: GGMLType, bytes: [UInt8])] = [:]) throws -> String {
        let source = try GGUFFile(path: root.appendingPathComponent("\(architecture)/model.gguf").path)
        var w = GGUFWriter()
        for key in source.metadataKeys where set[key] == nil {
            w.set(key, source.metadata[key]!.decoded)
        }
        for case let (key, value?) in set { w.set(key, value) }
        for info in source.tensorInfos where replace[info.name] == nil && raw[info.name] == nil {
            w.addTensor(info.name, dims: info.dims, type: info.type, bytes: Array(try source.tensor(info.name).data))
        }
        for case let (name, t?) in replace { w.addTensor(name, dims: t.dims, floats: t.values) }
        for (name, t) in raw { w.addTensor(name, dims: t.dims, type: t.type, bytes: t.bytes) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(architecture)-\(UUID().uuidString).gguf").path
        try w.write(to: path)
        return path
    }
}
