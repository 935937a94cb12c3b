import Foundation
import KingletRuntime

/// How sure the model was of one token it chose: the chosen token's log-probability and the
/// entropy of the whole next-token distribution, both from the raw logits (before penalties,
/// temperature, truncation or a grammar's mask), in nats.
public struct TokenConfidence: Sendable, Equatable {
    /// log p(chosen) (≤ 0).
    public var logprob: Double
    /// −Σ p log p over the vocabulary (≥ 0).
    public var entropy: Double

    public init(logprob: Double, entropy: Double) {
        self.logprob = logprob
        self.entropy = entropy
    }

    /// From a logits row ([V]) and the token chosen from it. Non-finite logits count as p = 0.
    public init(token: Int32, logits: [Float]) {
        let lse = Double(TokenLogprob.logSumExp(logits))
        var expected = 0.0  // Σ p·x over the finite logits
        for x in logits where x.isFinite {
            let p = exp(Double(x) - lse)
            expected += p * Double(x)
        }
        let i = Int(token)
        let chosen = i >= 0 && i < logits.count ? Double(logits[i]) : -Double.infinity
        logprob = chosen.isFinite ? chosen - lse : -Double.infinity
        // H = −Σ p (x − lse) = lse − Σ p x; rounding can leave it a hair below zero.
        entropy = max(0, lse - expected)
    }
}
