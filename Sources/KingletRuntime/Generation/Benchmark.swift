import Foundation
import KingletKernels
import KingletArchitectures

/// llama-bench-style throughput tests: `pp<N>` evaluates N prompt tokens in one batch from an
/// empty cache; `tg<N>` generates N tokens one at a time from an empty cache. Tokens are random
/// ids (the content does not change the work).
public struct BenchmarkResult: Sendable, Codable {
    public let test: String
    public let tokens: Int
    /// tokens/s of each repetition.
    public let samples: [Double]
    public var tokensPerSecond: Double { samples.reduce(0, +) / Double(max(samples.count, 1)) }
    public var stddev: Double {
        guard samples.count > 1 else { return 0 }
        let m = tokensPerSecond
        return (samples.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(samples.count - 1)).squareRoot()
    }
}

extension Engine {
    /// Prompt processing: `tokens` tokens in batches of `batchSize`, `repetitions` times (after one
    /// warm-up run).
    public func benchmarkPrompt(tokens: Int, repetitions: Int, batchSize: Int = 512) throws -> BenchmarkResult {
        var rng = Xoshiro256StarStar(seed: 1)
        let V = UInt64(config.vocabularySize)
        let ids = (0 ..< tokens).map { _ in Int32(rng.next() % V) }
        var samples: [Double] = []
        for rep in 0 ... repetitions {
            let state = makeState()
            let t0 = DispatchTime.now().uptimeNanoseconds
            var i = 0
            while i < ids.count {
                let chunk = Array(ids[i ..< min(i + batchSize, ids.count)])
                _ = try model.forward(chunk, state: state, logits: .last)
                i += chunk.count
            }
            let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            if rep > 0 { samples.append(Double(tokens) / dt) }
        }
        return BenchmarkResult(test: "pp\(tokens)", tokens: tokens, samples: samples)
    }

    /// Generation: `tokens` single-token forward passes (each with its logits), `repetitions`
    /// times after one warm-up run.
    public func benchmarkGeneration(tokens: Int, repetitions: Int) throws -> BenchmarkResult {
        var rng = Xoshiro256StarStar(seed: 2)
        let V = UInt64(config.vocabularySize)
        var samples: [Double] = []
        for rep in 0 ... repetitions {
            let state = makeState()
            var next = Int32(rng.next() % V)
            let t0 = DispatchTime.now().uptimeNanoseconds
            for _ in 0 ..< tokens {
                let logits = try model.forward([next], state: state, logits: .last)
                next = SamplerChain.argmax(logits)
            }
            let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            if rep > 0 { samples.append(Double(tokens) / dt) }
        }
        return BenchmarkResult(test: "tg\(tokens)", tokens: tokens, samples: samples)
    }
}
