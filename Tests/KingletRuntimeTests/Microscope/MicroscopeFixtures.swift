import Foundation
import KingletArchitectures
import KingletRuntime
import KingletTestSupport

/// Shared pieces of the perplexity and KL-divergence tests: tiny engines, a text, and a plain
/// Float64 reference of llama.cpp's method computed outside the code under test.
enum MicroscopeFixtures {
    /// 75 letters (one token each on the tiny vocabulary), seeded so every run sees the same.
    static let text: String = {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return String((0 ..< 75).map { _ -> Character in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Character(UnicodeScalar(UInt8(ascii: "a") + UInt8((state >> 33) % 10)))
        })
    }()

    static func engine(_ path: Result<String, Error>) throws -> Engine {
        try Engine(path: path.get(), options: EngineOptions(threads: 2))
    }

    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-\(name)-\(UUID().uuidString)").path
    }

    /// All logits [context − 1, V] of one chunk, run in a single pass from an empty cache.
    static func chunkLogits(_ engine: Engine, tokens: [Int32], chunk: Int, context: Int) throws -> [[Double]] {
        var input = Array(tokens[chunk * context ..< chunk * context + context - 1])
        if engine.tokenizer.addBOS, let bos = engine.tokenizer.bos { input[0] = bos }
        let state = ModelState(cache: KVCache(layout: KVCache.Layout(engine.config, contextLength: context), precision: .f16))
        let flat = try engine.model.forward(input, state: state, logits: .all)
        let v = engine.config.vocabularySize
        return (0 ..< input.count).map { p in (0 ..< v).map { Double(flat[p * v + $0]) } }
    }

    /// log-softmax in Float64.
    static func logSoftmax(_ row: [Double]) -> [Double] {
        let m = row.max()!
        let lse = m + log(row.reduce(0) { $0 + exp($1 - m) })
        return row.map { $0 - lse }
    }

    /// Per scored token (chunk by chunk), the reference's log-probabilities [V] and the target.
    static func scoredRows(_ engine: Engine, tokens: [Int32], context: Int, chunks: Int) throws -> [(logp: [Double], target: Int)] {
        var out: [(logp: [Double], target: Int)] = []
        for c in 0 ..< chunks {
            let rows = try chunkLogits(engine, tokens: tokens, chunk: c, context: context)
            for p in context / 2 ..< context - 1 {
                out.append((logSoftmax(rows[p]), Int(tokens[c * context + p + 1])))
            }
        }
        return out
    }
}
