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

    typealias GLU = (UnsafeMutablePointer<Float>, UnsafePointer<Float>, Int) -> Void

    /// `fast` against `plain`, bit for bit, on g drawn from ±`spread` (tails of every length),
    /// the inputs above and `edges`; u from ±1.
    func expectLaneForLane(_ name: String, spread: Float, edges: [Float], seed: UInt64, fast: GLU, plain: GLU) {
        var rng = SplitMix64(state: seed)
        let drawn = [1, 3, 7, 8, 9, 16, 37].map { len in (0 ..< len).map { _ in Float(rng.next() % 40000) / 20000 * spread - spread } }
        for g0 in drawn + [Self.inputs, edges] {
            let len = g0.count
            let u = (0 ..< len).map { _ in Float(rng.next() % 2000) / 1000 - 1 }
            var a = g0, b = g0
            fast(&a, u, len)
            plain(&b, u, len)
            for i in 0 ..< len where a[i].bitPattern != b[i].bitPattern && !(a[i].isNaN && b[i].isNaN) {
                Issue.record("\(name)(\(g0[i]), \(u[i])): \(a[i]) vs definition \(b[i]) (len \(len))")
                break
            }
        }
    }

    /// The AVX2 SwiGLU is the plain definition lane for lane.
    @Test func vectorSwiGLUEqualsTheDefinitionExactly() {
        expectLaneForLane("swiglu", spread: 20, edges: [-88, -86, 86, 88, 0, -0], seed: 0x5111,
                          fast: { SiLU.swiglu($0, $1, count: $2) }, plain: { SiLU.referenceSwiGLU($0, $1, count: $2) })
        #if arch(x86_64)
        #expect(GatedActivations.vector == (kk_cpu_features() & UInt32(KK_CPU_AVX2) != 0))
        #endif
    }

    /// The AVX2 GeGLU (F16C rounding, a table gather) is the plain loop lane for lane, the ±10
    /// edges, subnormal and tie-rounding inputs included.
    @Test func vectorGeGLUEqualsTheDefinitionExactly() {
        expectLaneForLane("geglu", spread: 15,
                          edges: [-10, 10, -9.999, 9.999, -10.001, 10.001, 1e-6, -1e-6, 6e-8, 1.00048828125, -2.0009765625],
                          seed: 0x6E1, fast: { GELU.geglu($0, $1, count: $2) }, plain: { GELU.referenceGeGLU($0, $1, count: $2) })
    }
}
