import Foundation

/// A confidence score of a whole (or partial) answer from its tokens' `TokenConfidence`s; higher
/// means surer. A router escalates when the score is below its threshold.
///
/// | name | score |
/// |---|---|
/// | `mean-logprob` | mean log p(token) |
/// | `min-logprob` | the least likely token's log p |
/// | `chow-quantile` | the q-quantile of the tokens' log p (Chow-quantile deferral; q = 0.1 unless `chow-quantile@Q`) |
/// | `mean-entropy` | −(mean entropy): the negated mean entropy, so that higher is surer as for the others |
public enum ConfidenceSignal: Sendable, Equatable, Hashable, CustomStringConvertible {
    case meanLogprob
    case minLogprob
    case chowQuantile(Double)
    case meanEntropy

    /// The four signals `route eval` compares (the quantile at 0.1).
    public static let all: [ConfidenceSignal] = [.meanLogprob, .minLogprob, .chowQuantile(0.1), .meanEntropy]

    /// Parses a name from the table above.
    public init?(name: String) {
        switch name {
        case "mean-logprob": self = .meanLogprob
        case "min-logprob": self = .minLogprob
        case "mean-entropy": self = .meanEntropy
        case "chow-quantile": self = .chowQuantile(0.1)
        default:
            let prefix = "chow-quantile@"
            guard name.hasPrefix(prefix), let q = Double(name.dropFirst(prefix.count)), q >= 0, q <= 1 else { return nil }
            self = .chowQuantile(q)
        }
    }

    public var description: String {
        switch self {
        case .meanLogprob: return "mean-logprob"
        case .minLogprob: return "min-logprob"
        case .meanEntropy: return "mean-entropy"
        case .chowQuantile(let q): return q == 0.1 ? "chow-quantile" : "chow-quantile@\(q)"
        }
    }

    /// The score of an answer whose tokens are `tokens`; −∞ for no tokens (nothing to trust).
    public func score(_ tokens: [TokenConfidence]) -> Double {
        guard !tokens.isEmpty else { return -.infinity }
        switch self {
        case .meanLogprob: return tokens.reduce(0) { $0 + $1.logprob } / Double(tokens.count)
        case .minLogprob: return tokens.map(\.logprob).min()!
        case .meanEntropy: return -tokens.reduce(0) { $0 + $1.entropy } / Double(tokens.count)
        case .chowQuantile(let q): return Self.quantile(tokens.map(\.logprob), q)
        }
    }

    /// The q-quantile with linear interpolation between order statistics (numpy's default):
    /// position q·(n−1) in the sorted values.
    static func quantile(_ values: [Double], _ q: Double) -> Double {
        let sorted = values.sorted()
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        if fraction == 0 || sorted[lower] == sorted[upper] { return sorted[lower] }
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }
}
