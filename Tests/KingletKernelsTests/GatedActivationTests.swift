import Foundation
import Testing
@testable import KingletKernels
#if arch(x86_64)
import CKingletKernels
#endif

@Suite struct GatedActivationTests {
    /// Every 1/64 from −100 to 100, the edges of the exp, infinities and NaN.
    static let inputs: [Float] = (-6400 ... 6400).map { Float($0) / 64 }
        + [-.infinity, .infinity, .nan, -86, -85.99, 86, 87.99, 88, -88, 0, -0, .leastNonzeroMagnitude, 1e-8, -1e-8]

    /// silu against x / (1 + e^(−x)) in double: the exp's 2 ulp and the division's rounding,
    /// relative to |silu(x)|, where the result is a normal float well above the exp's cut-off.
    @Test func siluIsCloseToTheExactFunction() {
        var worst = 0.0
        for x in Self.inputs where x.isFinite && x > -80 {
            let want = Double(x) / (1 + Foundation.exp(-Double(x)))
            guard abs(want) > 1e-30 else { continue }
            worst = max(worst, abs(Double(SiLU.silu(x)) - want) / abs(want))
        }
        #expect(worst < 4 * Double(Float.ulpOfOne), "worst relative error \(worst)")
        #expect(SiLU.silu(0) == 0)
        #expect(SiLU.silu(100) == 100)
        #expect(abs(SiLU.silu(-100)) < 1e-30)
        #expect(SiLU.silu(.nan).isNaN)
    }

    /// The AVX2 SwiGLU is the plain definition lane for lane, tails of every length included.
    @Test func vectorSwiGLUEqualsTheDefinitionExactly() throws {
        var rng = SplitMix64(state: 0x5111)
        for len in [1, 3, 7, 8, 9, 16, 37, Self.inputs.count] {
            let g0 = len == Self.inputs.count ? Self.inputs : (0 ..< len).map { _ in Float(rng.next() % 40000) / 1000 - 20 }
            let u = (0 ..< len).map { _ in Float(rng.next() % 2000) / 1000 - 1 }
            var fast = g0, plain = g0
            SiLU.swiglu(&fast, u, count: len)
            SiLU.referenceSwiGLU(&plain, u, count: len)
            for i in 0 ..< len where fast[i].bitPattern != plain[i].bitPattern && !(fast[i].isNaN && plain[i].isNaN) {
                Issue.record("swiglu(\(g0[i]), \(u[i])): \(fast[i]) vs definition \(plain[i]) (len \(len))")
                break
            }
        }
        #if arch(x86_64)
        #expect(SiLU.vector == (kk_cpu_features() & UInt32(KK_CPU_AVX2) != 0))
        #endif
    }

    /// The AVX2 GeGLU (F16C rounding, a table gather) is the plain loop lane for lane: every
    /// input above, the ±10 edges, subnormal and tie-rounding inputs, tails of every length.
    @Test func vectorGeGLUEqualsTheDefinitionExactly() throws {
        var rng = SplitMix64(state: 0x6E1)
        let edges: [Float] = [-10, 10, -9.999, 9.999, -10.001, 10.001, 1e-6, -1e-6, 6e-8, 1.00048828125, -2.0009765625]
        for len in [1, 3, 7, 8, 9, 16, 37, Self.inputs.count, edges.count] {
            let g0 = len == Self.inputs.count ? Self.inputs : len == edges.count ? edges
                : (0 ..< len).map { _ in Float(rng.next() % 30000) / 1000 - 15 }
            let u = (0 ..< len).map { _ in Float(rng.next() % 2000) / 1000 - 1 }
            var fast = g0, plain = g0
            GELU.geglu(&fast, u, count: len)
            GELU.referenceGeGLU(&plain, u, count: len)
            for i in 0 ..< len where fast[i].bitPattern != plain[i].bitPattern && !(fast[i].isNaN && plain[i].isNaN) {
                Issue.record("geglu(\(g0[i]), \(u[i])): \(fast[i]) vs definition \(plain[i]) (len \(len))")
                break
            }
        }
    }
}
