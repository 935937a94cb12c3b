import Foundation

/// A figure with one standard error.
public struct Uncertain: Sendable, Equatable, Codable {
    public var value: Double
    public var uncertainty: Double
}

/// A labelled percentile ("99.9%", "median", "maximum").
public struct Percentile: Sendable, Equatable, Codable {
    public var label: String
    public var value: Double
}

/// llama.cpp's `--kl-divergence` statistics of a model Q against a reference P over the same
/// scored tokens, computed with its formulas (standard errors of means; the covariance of the
/// two log-perplexities in the ratio's error).
public struct KLDivergenceStatistics: Sendable, Equatable, Codable {
    /// Tokens compared.
    public var count: Int
    public var perplexity: Uncertain, basePerplexity: Uncertain
    /// Correlation of the per-token ln-likelihoods of Q and P.
    public var correlation: Double
    /// ln(PPL(Q) / PPL(base)), PPL(Q)/PPL(base), PPL(Q) − PPL(base).
    public var logRatio: Uncertain, ratio: Uncertain, difference: Uncertain
    /// Mean KL(P ‖ Q) per token, nats.
    public var kld: Uncertain
    /// KLD maximum, 99.9 %, 99 %, 95 %, 90 %, median, 10 %, 5 %, 1 %, 0.1 %, minimum.
    public var kldPercentiles: [Percentile]
    /// Mean of q(target) − p(target), and its RMS.
    public var meanDeltaP: Uncertain, rmsDeltaP: Uncertain
    /// Δp maximum, 99.9 … 75 %, median, 25 … 0.1 %, minimum.
    public var deltaPPercentiles: [Percentile]
    /// The fraction of positions where Q and P have the same most likely token.
    public var sameTop: Uncertain
}

/// Running sums of row comparisons, as llama.cpp's `kl_divergence_result`, and every row's KLD
/// and Δp for the percentiles.
public struct KLDivergenceTally: Sendable {
    var sumNLL = 0.0, sumNLL2 = 0.0, sumBase = 0.0, sumBase2 = 0.0, sumCross = 0.0
    var sumKLD = 0.0, sumKLD2 = 0.0, sumDP = 0.0, sumDP2 = 0.0, sumDP4 = 0.0
    var sameTop = 0
    var klds: [Float] = [], deltas: [Float] = []

    public init() {}

    /// Tokens compared so far.
    public var count: Int { klds.count }

    public mutating func add(_ r: RowComparison) {
        sumNLL += Double(r.nll); sumNLL2 += Double(r.nll * r.nll)
        sumBase += Double(r.nllBase); sumBase2 += Double(r.nllBase * r.nllBase)
        sumCross += Double(r.nll * r.nllBase)
        sumKLD += r.kld; sumKLD2 += r.kld * r.kld
        let dp2 = Double(r.probabilityDifference * r.probabilityDifference)
        sumDP += Double(r.probabilityDifference); sumDP2 += dp2; sumDP4 += dp2 * dp2
        if r.sameTop { sameTop += 1 }
        klds.append(Float(r.kld))
        deltas.append(r.probabilityDifference)
    }

    /// Mean and standard error (0 for ten values or fewer), llama.cpp's `mean_and_uncertainty`.
    static func mean(_ sum: Double, _ sum2: Double, _ n: Int) -> Uncertain {
        guard n >= 1 else { return Uncertain(value: 0, uncertainty: 0) }
        let f = sum / Double(n)
        let v = sum2 / Double(n) - f * f
        return Uncertain(value: f, uncertainty: v > 0 && n > 10 ? sqrt(v / Double(n - 1)) : 0)
    }

    /// llama.cpp's percentile: linear between the two nearest ranks, in Float.
    static func percentile(_ sorted: [Float], _ fraction: Float) -> Double {
        if fraction <= 0 { return Double(sorted.first!) }
        if fraction >= 1 { return Double(sorted.last!) }
        var p = fraction * Float(sorted.count - 1)
        let i = Int(p)
        p -= Float(i)
        return Double((1 - p) * sorted[i] + p * sorted[min(i + 1, sorted.count - 1)])
    }

    static func median(_ s: [Float]) -> Double {
        s.count % 2 == 0 ? Double(0.5 * (s[s.count / 2] + s[s.count / 2 - 1])) : Double(s[s.count / 2])
    }

    /// The statistics so far; nil before any token.
    public var statistics: KLDivergenceStatistics? {
        let n = count
        guard n > 0 else { return nil }
        let q = Self.mean(sumNLL, sumNLL2, n), b = Self.mean(sumBase, sumBase2, n)
        let cov = n < 10 ? 0 : (sumCross / Double(n) - sumNLL / Double(n) * sumBase / Double(n)) / Double(n - 1)
        let ppl = exp(q.value), base = exp(b.value)
        let lnRatio = Uncertain(value: q.value - b.value, uncertainty: sqrt(max(0, q.uncertainty * q.uncertainty + b.uncertainty * b.uncertainty - 2 * cov)))
        let pplU = ppl * q.uncertainty, baseU = base * b.uncertainty
        let difference = Uncertain(value: ppl - base, uncertainty: sqrt(max(0, pplU * pplU + baseU * baseU - 2 * ppl * base * cov)))
        let mse = Self.mean(sumDP2, sumDP4, n)
        let rms = sqrt(mse.value)
        let top = Double(sameTop) / Double(n)
        let k = klds.sorted(), d = deltas.sorted()
        func pct(_ s: [Float], _ f: [Float]) -> [Percentile] {
            f.map { Percentile(label: String(format: "%.1f%%", Double($0) * 100), value: Self.percentile(s, $0)) }
        }
        return KLDivergenceStatistics(
            count: n, perplexity: Uncertain(value: ppl, uncertainty: pplU), basePerplexity: Uncertain(value: base, uncertainty: baseU),
            correlation: cov / (q.uncertainty * b.uncertainty), logRatio: lnRatio,
            ratio: Uncertain(value: exp(lnRatio.value), uncertainty: exp(lnRatio.value) * lnRatio.uncertainty), difference: difference,
            kld: Self.mean(sumKLD, sumKLD2, n),
            kldPercentiles: [Percentile(label: "maximum", value: Double(k.last!))] + pct(k, [0.999, 0.99, 0.95, 0.90])
                + [Percentile(label: "median", value: Self.median(k))] + pct(k, [0.10, 0.05, 0.01, 0.001])
                + [Percentile(label: "minimum", value: Double(k.first!))],
            meanDeltaP: Self.mean(sumDP, sumDP2, n),
            rmsDeltaP: Uncertain(value: rms, uncertainty: rms > 0 ? 0.5 / rms * mse.uncertainty : 0),
            deltaPPercentiles: [Percentile(label: "maximum", value: Double(d.last!))] + pct(d, [0.999, 0.99, 0.95, 0.90, 0.75])
                + [Percentile(label: "median", value: Self.median(d))] + pct(d, [0.25, 0.10, 0.05, 0.01, 0.001])
                + [Percentile(label: "minimum", value: Double(d.first!))],
            sameTop: Uncertain(value: top, uncertainty: n > 1 ? sqrt(top * (1 - top) / Double(n - 1)) : 0))
    }
}
