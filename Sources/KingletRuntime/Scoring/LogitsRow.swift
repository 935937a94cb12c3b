import Foundation

/// The softmax normaliser of one row of logits, computed as llama.cpp's perplexity tool does:
/// the maximum in Float, Σ expf(l − max) accumulated in Float64. Every log-probability Kinglet
/// reports (sampled-token logprobs, perplexity, KL-divergence) goes through this.
public struct LogitsRow {
    /// The largest logit.
    public let max: Float
    /// The first index holding `max` (ties: the lowest id).
    public let argmax: Int
    /// Σ exp(l − max) over the row (≥ 1 for a finite row).
    public let sum: Double

    /// Scans `row` once. An empty row has max −∞ and sum 0.
    public init(_ row: UnsafeBufferPointer<Float>) {
        var m = -Float.infinity, am = 0
        for (i, v) in row.enumerated() where v > m { m = v; am = i }
        var s = 0.0
        if m.isFinite { for v in row { s += Double(expf(v - m)) } }
        max = m
        argmax = am
        sum = s
    }

    /// log Σ exp(l): the log of the softmax's denominator (`max` itself for a row without a
    /// finite maximum).
    public var logSumExp: Double { max.isFinite ? Double(max) + log(sum) : Double(max) }

    /// −log p(token) for the row this was computed from.
    public func negativeLogLikelihood(_ row: UnsafeBufferPointer<Float>, token: Int) -> Double {
        logSumExp - Double(row[token])
    }
}
