import Foundation
import KingletRuntime
import Testing

/// `NiceAxis`: steps of 1, 2 or 5 × 10ⁿ, ticks inside the range, labels that never read the same,
/// for line (snapped), scatter (padded) and fixed axes alike.
@Suite struct NiceAxisTests {
    static let ranges: [(Double, Double)] = [(0, 1), (93.2, 312.7), (0.91, 0.98), (5, 5), (0, 0), (-3.5, -3.5), (0.9739, 1.0885),
                                             (-12.5, 40), (0, 1_234_567), (10_000, 10_002), (2e9, 7.5e9), (1e-7, 3e-7)]

    @Test(arguments: ranges) func ticksAreNiceAndDistinct(lo: Double, hi: Double) {
        for axis in [NiceAxis(lo: lo, hi: hi), NiceAxis(lo: lo, hi: hi, padding: 0.12), NiceAxis(fixed: lo, hi)] {
            let mantissa = axis.step / pow(10, log10(axis.step).rounded(.down))
            #expect([1, 2, 5].contains { abs(mantissa - $0) < 1e-9 }, "step \(axis.step)")
            let ticks = axis.ticks
            #expect(ticks.count >= 2 && ticks.count <= 12, "\(lo)…\(hi): \(ticks)")
            #expect(ticks == ticks.sorted() && ticks.allSatisfy { $0 >= axis.lo - 1e-9 * axis.step && $0 <= axis.hi + 1e-9 * axis.step })
            let labels = ticks.map(axis.label)
            #expect(Set(labels).count == labels.count, "distinct labels \(labels)")
        }
    }

    @Test func theThreeWaysToRange() {
        let line = NiceAxis(lo: 2.83, hi: 4.12)
        #expect(line.lo == 2.5 && line.hi == 4.5 && line.ticks.first == line.lo && line.ticks.last == line.hi, "starts and ends on a tick")
        let scatter = NiceAxis(lo: 2.83, hi: 4.12, padding: 0.1)
        #expect(abs(scatter.lo - 2.701) < 1e-12 && abs(scatter.hi - 4.249) < 1e-12, "padded, not snapped")
        let share = NiceAxis(fixed: 0, 1)
        #expect(share.lo == 0 && share.hi == 1 && share.ticks.map(share.label) == ["0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        #expect(share.fraction(0) == 0 && share.fraction(1) == 1 && share.fraction(0.25) == 0.25)
    }

    @Test func largeAxesHaveSuffixes() {
        let tokens = NiceAxis(lo: 0, hi: 48_000)
        #expect(tokens.ticks.map(tokens.label) == ["0", "10k", "20k", "30k", "40k", "50k"])
        let params = NiceAxis(lo: 0, hi: 3.2e9)
        #expect(params.ticks.map(params.label).last == "4G")
    }
}
