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
    public init(test: String, tokens: Int, samples: [Double]) {
        self.test = test
        self.tokens = tokens
        self.samples = samples
    }

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
        var samples: [Double] = []
        for rep in 0 ... repetitions {
            let speed = try benchmarkPromptRun(tokens: tokens, batchSize: batchSize)
            if rep > 0 { samples.append(speed) }
        }
        return BenchmarkResult(test: "pp\(tokens)", tokens: tokens, samples: samples)
    }

    /// One prompt-processing run on a cache of `precision` (default: the engine's) that already
    /// holds `depth` tokens (evaluated first, untimed; llama-bench's `-d`); returns tokens/s.
    public func benchmarkPromptRun(tokens: Int, batchSize: Int = 512, precision: KVCache.Precision? = nil,
                                   depth: Int = 0) throws -> Double {
        var rng = Xoshiro256StarStar(seed: 1)
        let V = UInt64(config.vocabularySize)
        let ids = (0 ..< tokens).map { _ in Int32(rng.next() % V) }
        let state = try benchmarkState(precision: precision, depth: depth, batchSize: batchSize)
        let t0 = DispatchTime.now().uptimeNanoseconds
        var i = 0
        while i < ids.count {
            let chunk = Array(ids[i ..< min(i + batchSize, ids.count)])
            _ = try model.forward(chunk, state: state, logits: .last)
            i += chunk.count
        }
        return Double(tokens) / (Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }

    /// Generation: `tokens` single-token forward passes (each with its logits), `repetitions`
    /// times after one warm-up run.
    public func benchmarkGeneration(tokens: Int, repetitions: Int) throws -> BenchmarkResult {
        var samples: [Double] = []
        for rep in 0 ... repetitions {
            let speed = try benchmarkGenerationRun(tokens: tokens)
            if rep > 0 { samples.append(speed) }
        }
        return BenchmarkResult(test: "tg\(tokens)", tokens: tokens, samples: samples)
    }

    /// One generation run on a cache of `precision` (default: the engine's) that already holds
    /// `depth` tokens (untimed); returns tokens/s.
    public func benchmarkGenerationRun(tokens: Int, precision: KVCache.Precision? = nil, depth: Int = 0) throws -> Double {
        var rng = Xoshiro256StarStar(seed: 2)
        let V = UInt64(config.vocabularySize)
        let state = try benchmarkState(precision: precision, depth: depth, batchSize: 512)
        var next = Int32(rng.next() % V)
        let t0 = DispatchTime.now().uptimeNanoseconds
        for _ in 0 ..< tokens {
            let logits = try model.forward([next], state: state, logits: .last)
            next = SamplerChain.argmax(logits)
        }
        return Double(tokens) / (Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }

    /// A fresh state holding `depth` random tokens.
    private func benchmarkState(precision: KVCache.Precision?, depth: Int, batchSize: Int) throws -> ModelState {
        let state = makeState(precision: precision ?? options.cachePrecision)
        var rng = Xoshiro256StarStar(seed: 3)
        let V = UInt64(config.vocabularySize)
        var done = 0
        while done < depth {
            let n = min(batchSize, depth - done)
            _ = try model.forward((0 ..< n).map { _ in Int32(rng.next() % V) }, state: state, logits: .last)
            done += n
        }
        return state
    }
}
