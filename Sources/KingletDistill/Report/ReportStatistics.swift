/// Mean and spread of one figure over the runs (seeds) of a kind.
public struct SeedStatistic: Sendable, Equatable {
    public var mean: Double
    /// Sample standard deviation (n − 1); nil for a single run.
    public var std: Double?
    public var count: Int

    /// nil when no value is given. Non-finite values are left out.
    public init?(_ values: [Double?]) {
        let v = values.compactMap { $0 }.filter(\.isFinite)
        guard !v.isEmpty else { return nil }
        count = v.count
        mean = v.reduce(0, +) / Double(v.count)
        if v.count > 1 {
            let m = mean
            std = (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count - 1)).squareRoot()
        } else {
            std = nil
        }
    }
}

/// Where a falling curve first reaches a target.
public enum CurveCrossing {
    /// Tokens at which `curve` (tokens ascending) first reaches `target` (value ≤ target),
    /// interpolated linearly between the last point above and the first at or below it; the
    /// first point's tokens when it already is at or below; nil when the curve never gets there.
    public static func tokensToReach(_ target: Double, curve: [(tokens: Double, value: Double)]) -> Double? {
        for (i, p) in curve.enumerated() where p.value.isFinite && p.value <= target {
            guard i > 0 else { return p.tokens }
            let a = curve[i - 1]
            guard a.value.isFinite, a.value > p.value else { return p.tokens }
            return a.tokens + (a.value - target) / (a.value - p.value) * (p.tokens - a.tokens)
        }
        return nil
    }
}
