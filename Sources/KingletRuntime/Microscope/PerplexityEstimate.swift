import Foundation

/// Perplexity with llama.cpp's uncertainty: PPL = exp(mean NLL) ± PPL · σ(NLL) / √(n − 1),
/// σ² = mean(NLL²) − mean(NLL)² over the scored tokens (the standard error of the mean of the
/// negative log-likelihoods, carried through exp).
public struct PerplexityEstimate: Sendable, Equatable, Codable {
    /// exp(mean negative log-likelihood).
    public var perplexity: Double
    /// One standard error of `perplexity` (0 while fewer than two tokens or no spread).
    public var uncertainty: Double
    /// Mean negative log-likelihood (nats per token).
    public var meanNLL: Double
    /// Tokens scored.
    public var count: Int
}

/// Running sums of negative log-likelihoods, in Float64.
public struct NLLTally: Sendable, Equatable {
    public private(set) var sum = 0.0
    public private(set) var sumOfSquares = 0.0
    public private(set) var count = 0

    public init() {}

    /// Adds one token's −log p.
    public mutating func add(_ nll: Double) {
        sum += nll
        sumOfSquares += nll * nll
        count += 1
    }

    /// The estimate so far.
    public var estimate: PerplexityEstimate {
        guard count > 0 else { return PerplexityEstimate(perplexity: .nan, uncertainty: 0, meanNLL: .nan, count: 0) }
        let mean = sum / Double(count)
        let variance = sumOfSquares / Double(count) - mean * mean
        let ppl = exp(mean)
        let se = variance > 0 && count > 1 ? sqrt(variance / Double(count - 1)) : 0
        return PerplexityEstimate(perplexity: ppl, uncertainty: se * ppl, meanNLL: mean, count: count)
    }
}
