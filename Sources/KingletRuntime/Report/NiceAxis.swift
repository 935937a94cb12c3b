import Foundation

/// A chart axis: a range, its ticks at nice numbers (1, 2 or 5 × 10ⁿ apart, about five of them)
/// and their labels, which never read the same for two neighbouring ticks.
package struct NiceAxis: Sendable, Equatable {
    package let lo: Double, hi: Double, step: Double

    /// `lo…hi` widened to whole steps, so the axis starts and ends on a tick (a line chart's).
    package init(lo: Double, hi: Double) {
        let (a, b) = Self.unflattened(lo, hi)
        let s = Self.step(a, b)
        self.init(exactly: (a / s).rounded(.down) * s, (b / s).rounded(.up) * s, step: s)
    }

    /// `lo…hi` widened by `padding` × its span on each side, so no point sits on the frame (a
    /// scatter plot's); the ticks are the steps inside it.
    package init(lo: Double, hi: Double, padding: Double) {
        let (a, b) = Self.unflattened(lo, hi)
        self.init(fixed: a - (b - a) * padding, b + (b - a) * padding)
    }

    /// Exactly `lo…hi` (0…1 for a share), the ticks the steps inside it.
    package init(fixed lo: Double, _ hi: Double) {
        let (a, b) = Self.unflattened(lo, hi)
        self.init(exactly: a, b, step: Self.step(a, b))
    }

    private init(exactly lo: Double, _ hi: Double, step: Double) {
        (self.lo, self.hi, self.step) = (lo, hi, step)
    }

    /// The multiples of the step from `lo` to `hi`.
    package var ticks: [Double] {
        let first = Int((lo / step - 1e-9).rounded(.up)), last = Int((hi / step + 1e-9).rounded(.down))
        return first <= last ? (first ... last).map { Double($0) * step } : []
    }

    /// Where `v` falls on the axis: 0 at `lo`, 1 at `hi`.
    package func fraction(_ v: Double) -> Double { (v - lo) / (hi - lo) }

    /// `v` with as many decimals as the step needs (0.02 apart: two), so neighbouring ticks never
    /// read the same; scaled by k/M/G when the axis is large.
    package func label(_ v: Double) -> String {
        let top = max(abs(lo), abs(hi))
        let (scale, suffix): (Double, String) = top >= 1e9 ? (1e9, "G") : top >= 1e6 ? (1e6, "M") : top >= 1e4 ? (1e3, "k") : (1, "")
        if abs(v) < step * 1e-9 { return "0" }
        let decimals = max(0, min(15, Int((-log10(step / scale) - 1e-9).rounded(.up))))
        return String(format: "%.\(decimals)f", v / scale) + suffix
    }

    /// An empty range opened around its value (by 5 %, or by 1 around zero).
    private static func unflattened(_ lo: Double, _ hi: Double) -> (Double, Double) {
        guard !(hi > lo) else { return (lo, hi) }
        let pad = lo == 0 ? 1 : abs(lo) * 0.05
        return (lo - pad, hi + pad)
    }

    /// The nice step that cuts `lo…hi` into about four parts.
    private static func step(_ lo: Double, _ hi: Double) -> Double {
        nice(nice(hi - lo, round: false) / 4, round: true)
    }

    /// Heckbert's nice number: the 1, 2, 5 or 10 × 10ⁿ nearest (`round`) or just above `x`.
    static func nice(_ x: Double, round: Bool) -> Double {
        let e = log10(x).rounded(.down)
        let f = x / pow(10, e)
        let n: Double
        if round { n = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10 } else { n = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10 }
        return n * pow(10, e)
    }
}
