import CKingletKernels
import Foundation
import Testing
@testable import KingletKernels

/// The F16 attention softmax's exp and softmax: the AVX2 kernel against its Swift twin, bit for
/// bit, and the exp against Foundation's.
@Suite struct SoftmaxExpTests {
    /// Every 1/64 from −100 to 100, plus the edges.
    static let inputs: [Float] = (-6400 ... 6400).map { Float($0) / 64 }
        + [-.infinity, -86, -85.99, 87.99, 88, 0, -0, .leastNonzeroMagnitude, 1e-8, -1e-8]

    @Test func expIsWithinTwoUlpOfExpf() {
        var worst: Float = 0
        for x in Self.inputs where x >= -86 && x <= 88 {
            let want = Foundation.exp(Double(x))
            let got = Double(SoftmaxExp.exp(x))
            let ulp = Double(Float(want).ulp)
            worst = max(worst, Float(abs(got - want) / ulp))
        }
        #expect(worst <= 2, "worst \(worst) ulp")
        #expect(SoftmaxExp.exp(-.infinity) == 0 && SoftmaxExp.exp(-87) == 0 && SoftmaxExp.exp(0) == 1)
    }

    @Test func kernelMatchesTheSwiftTwinExactly() throws {
        #if arch(x86_64)
        guard kk_cpu_features() & UInt32(KK_CPU_AVX2) != 0 else { return }
        let x = Self.inputs.filter { !$0.isNaN }
        var y = [Float](repeating: .nan, count: x.count)
        kk_avx2_exp(x, &y, Int64(x.count))
        let twin = x.map(SoftmaxExp.exp)
        for i in x.indices where y[i].bitPattern != twin[i].bitPattern {
            Issue.record("exp(\(x[i])): kernel \(y[i]), Swift \(twin[i])")
            break
        }
        for len in [1, 7, 8, 9, 37, 300] {
            var rng = SplitMix64(state: UInt64(len))
            let scores = (0 ..< len).map { _ in Float(rng.next() % 20000) / 1000 - 10 }
            let mx = scores.max()!
            var c = scores, s = scores
            kk_avx2_softmax_round_f16(&c, Int64(len), mx)
            SoftmaxExp.softmaxRoundToHalf(&s, count: len, max: mx)
            #expect(c.map(\.bitPattern) == s.map(\.bitPattern), "softmax of \(len)")
            #expect(abs(s.reduce(0, +) - 1) < 2e-3)
        }
        #endif
    }
}
