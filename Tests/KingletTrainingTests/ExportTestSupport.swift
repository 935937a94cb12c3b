import Foundation
import KingletArchitectures
import KingletGGUF
import KingletKernels

/// A tiny llama training checkpoint as the trainer writes it: F32 weights with llama names
/// (tied output), the synthetic tokenizer's metadata, `kinglet.train.*` keys and
/// `optimizer.*` tensors.
struct TinyCheckpoint {
    static let D = 64, L = 2, H = 4, Hkv = 2, Dh = 16
    var F = 96
    var weights: [String: (dims: [Int], values: [Float])] = [:]
    var writer = GGUFWriter()

    init(feedForward: Int = 96, seed: UInt64 = 1) {
        F = feedForward
        let V = DataFixtures.configuration().tokens.count
        var rng = seed
        func random(_ count: Int, scale: Float, offset: Float = 0) -> [Float] {
            (0 ..< count).map { _ in
                rng = rng &* 6364136223846793005 &+ 1442695040888963407
                return offset + scale * (Float(rng >> 40) / Float(1 << 24) * 2 - 1)
            }
        }
        var w = GGUFWriter()
        w.set("general.architecture", "llama")
        w.set("general.name", "tiny-student")
        w.set("kinglet.train.step", uint32: 1234)
        w.set("llama.block_count", uint32: Self.L)
        w.set("llama.context_length", uint32: 128)
        w.set("llama.embedding_length", uint32: Self.D)
        w.set("llama.feed_forward_length", uint32: F)
        w.set("llama.attention.head_count", uint32: Self.H)
        w.set("llama.attention.head_count_kv", uint32: Self.Hkv)
        w.set("llama.rope.freq_base", float32: 10000)
        w.set("llama.rope.dimension_count", uint32: Self.Dh)
        w.set("llama.attention.layer_norm_rms_epsilon", float32: 1e-5)
        w.set("llama.vocab_size", uint32: V)
        w.set("kinglet.train.learning_rate", float32: 3e-4)
        DataFixtures.setTokenizerMetadata(&w)
        w.set("kinglet.train.rng_state", .array(.uint64, [.uint64(1), .uint64(2), .uint64(3), .uint64(4)]))

        var tensors: [(String, [Int], [Float])] = [("token_embd.weight", [Self.D, V], random(V * Self.D, scale: 1))]
        for l in 0 ..< Self.L {
            let p = "blk.\(l)."
            let s: Float = 0.15
            tensors += [
                (p + "attn_norm.weight", [Self.D], random(Self.D, scale: 0.2, offset: 1)),
                (p + "attn_q.weight", [Self.D, Self.H * Self.Dh], random(Self.H * Self.Dh * Self.D, scale: s)),
                (p + "attn_k.weight", [Self.D, Self.Hkv * Self.Dh], random(Self.Hkv * Self.Dh * Self.D, scale: s)),
                (p + "attn_v.weight", [Self.D, Self.Hkv * Self.Dh], random(Self.Hkv * Self.Dh * Self.D, scale: s)),
                (p + "attn_output.weight", [Self.H * Self.Dh, Self.D], random(Self.D * Self.H * Self.Dh, scale: s)),
                (p + "ffn_norm.weight", [Self.D], random(Self.D, scale: 0.2, offset: 1)),
                (p + "ffn_gate.weight", [Self.D, F], random(F * Self.D, scale: s)),
                (p + "ffn_up.weight", [Self.D, F], random(F * Self.D, scale: s)),
                (p + "ffn_down.weight", [F, Self.D], random(Self.D * F, scale: s)),
            ]
        }
        tensors.append(("output_norm.weight", [Self.D], random(Self.D, scale: 0.2, offset: 1)))
        for (name, dims, values) in tensors {
            w.addTensor(name, dims: dims, floats: values)
            weights[name] = (dims, values)
        }
        // Optimizer moments, interleaved as a trainer might write them.
        for (name, dims, values) in tensors.prefix(4) {
            w.addTensor("optimizer.m." + name, dims: dims, floats: values.map { $0 * 0.01 })
            w.addTensor("optimizer.v." + name, dims: dims, floats: values.map { $0 * $0 })
        }
        writer = w
    }

    /// Writes the checkpoint into a fresh temporary folder and returns its URL.
    func write() throws -> URL {
        let url = try DataFixtures.temporaryDirectory().appendingPathComponent("checkpoint.gguf")
        try writer.write(to: url.path)
        return url
    }

    /// Logits [T, V] of `tokens` for the model in `url`.
    static func logits(_ url: URL, tokens: [Int32]) throws -> [Float] {
        let file = try GGUFFile(path: url.path)
        let model = try ArchitectureRegistry.load(file, options: ModelLoadOptions(pool: ThreadPool(threads: 2)))
        let c = model.config
        let state = ModelState(cache: KVCache(layers: c.layerCount, capacity: 64, rowSize: c.kvHeadCount * c.headSize, precision: .f32))
        return try model.forward(tokens, state: state, logits: .all)
    }
}

/// Test data shipped in the repository (`Tests/Data`).
enum TrainingTestData {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Data")
    }
}
