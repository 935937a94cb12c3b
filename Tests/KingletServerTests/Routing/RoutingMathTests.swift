import Foundation
import Testing
@testable import KingletServer

/// The confidence signals and the routing figures against hand-computed values.
struct RoutingMathTests {
    static let tokens = zip([-0.1, -2.0, -0.5, -1.0, -0.2], [1.0, 2, 3, 0, 4]).map { TokenConfidence(logprob: $0, entropy: $1) }

    @Test func signals() {
        #expect(abs(ConfidenceSignal.meanLogprob.score(Self.tokens) - -0.76) < 1e-12)
        #expect(ConfidenceSignal.minLogprob.score(Self.tokens) == -2.0)
        // Sorted: -2, -1, -0.5, -0.2, -0.1; q = 0.1 sits at 0.4 between -2 and -1.
        #expect(abs(ConfidenceSignal.chowQuantile(0.1).score(Self.tokens) - -1.6) < 1e-12)
        #expect(ConfidenceSignal.chowQuantile(0.5).score(Self.tokens) == -0.5)
        #expect(ConfidenceSignal.meanEntropy.score(Self.tokens) == -2.0)
        #expect(ConfidenceSignal.meanLogprob.score([]) == -.infinity)
    }

    @Test func tokenConfidenceFromLogits() {
        let even = TokenConfidence(token: 0, logits: [0, 0])
        #expect(abs(even.logprob - -log(2.0)) < 1e-6 && abs(even.entropy - log(2.0)) < 1e-6)
        // p = (0.75, 0.25).
        let skew = TokenConfidence(token: 1, logits: [Float(log(3.0)), 0])
        #expect(abs(skew.logprob - log(0.25)) < 1e-6)
        #expect(abs(skew.entropy - -(0.75 * log(0.75) + 0.25 * log(0.25))) < 1e-6)
        // A masked logit is p = 0.
        let masked = TokenConfidence(token: 0, logits: [1, -.infinity])
        #expect(masked.logprob == 0 && masked.entropy == 0)
    }

    @Test func signalNamesRoundTrip() throws {
        for s in ConfidenceSignal.all + [.chowQuantile(0.25)] { #expect(ConfidenceSignal(name: s.description) == s) }
        #expect(ConfidenceSignal(name: "chow-quantile@1.5") == nil)
        let p = try RoutePolicy(spec: "min-logprob:-3.5:early=8")
        #expect(p == RoutePolicy(signal: .minLogprob, threshold: -3.5, earlyTokens: 8))
        #expect(try RoutePolicy(spec: "chow-quantile@0.2:-1") == RoutePolicy(signal: .chowQuantile(0.2), threshold: -1))
        #expect(throws: RoutePolicyError.unknownSignal("entropy")) { try RoutePolicy(spec: "entropy:-1") }
        #expect(throws: RoutePolicyError.badSpec("min-logprob:x")) { try RoutePolicy(spec: "min-logprob:x") }
        #expect(throws: RoutePolicyError.badSpec("min-logprob:-1:early=0")) { try RoutePolicy(spec: "min-logprob:-1:early=0") }
        let data = try JSONEncoder().encode(p)
        #expect(try JSONDecoder().decode(RoutePolicy.self, from: data) == p)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("route-\(UUID()).json")
        try data.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(try RoutePolicy(specOrFile: file.path) == p)
    }

    /// Four items; local right on B and D, upstream right on A, B, C.
    ///
    ///     item score local upstream   accuracy after escalating it (and those before)
    ///     A    0.1   ✗     ✓          0.75
    ///     B    0.2   ✓     ✓          0.75
    ///     C    0.3   ✗     ✓          1.00
    ///     D    0.9   ✓     ✗          0.75
    ///
    /// local 0.5, upstream 0.75, gap 0.25; PGR 0, 1, 1, 2, 1; APGR = (0.5 + 1 + 1.5 + 1.5) / 4.
    /// AUROC: right (B 0.2, D 0.9) above wrong (A 0.1, C 0.3) in 3 of 4 pairs.
    static let items = [(0.1, false, true), (0.2, true, true), (0.3, false, true), (0.9, true, false)]
        .map { RoutingCurve.Item(localCorrect: $0.1, upstreamCorrect: $0.2, score: $0.0) }

    @Test func curveFigures() throws {
        let c = RoutingCurve(Self.items.reversed())
        #expect(c.accuracy == [0.5, 0.75, 0.75, 1.0, 0.75])
        #expect(c.localAccuracy == 0.5 && c.upstreamAccuracy == 0.75)
        #expect(c.recovered == [0, 1, 1, 2, 1])
        #expect(c.apgr == 1.125)
        #expect(c.cpt(0.5) == 0.25 && c.cpt(0.8) == 0.25 && c.cpt(1.5) == 0.75 && c.cpt(2.5) == nil)
        #expect(c.auroc == 0.75)
        #expect(c.threshold(escalating: 0.5) == 0.3)
        #expect(c.threshold(escalating: 0) == 0.1)
        #expect(c.threshold(escalating: 1) > 0.9)
        #expect(c.threshold(quality: 1.0) == 0.9)
        #expect(c.threshold(quality: 1.1) == nil)
    }

    @Test func tiesAreEscalatedInExpectation() {
        let c = RoutingCurve([RoutingCurve.Item(localCorrect: false, upstreamCorrect: true, score: 0.5),
                              RoutingCurve.Item(localCorrect: true, upstreamCorrect: true, score: 0.5)])
        #expect(c.accuracy == [0.5, 0.75, 1.0])
        #expect(c.apgr == 0.5)  // no information: random routing's figure
        #expect(c.auroc == 0.5)
    }

    @Test func noGapHasNoRecoveryFigures() {
        let c = RoutingCurve([RoutingCurve.Item(localCorrect: true, upstreamCorrect: true, score: 1)])
        #expect(c.apgr == nil && c.cpt(0.5) == nil && c.auroc == nil)
    }

    @Test func aurocByRanks() {
        // Perfect, reversed, and one tie across the classes.
        #expect(RoutingCurve.auroc([1, 2, 3, 4], positive: [false, false, true, true]) == 1)
        #expect(RoutingCurve.auroc([1, 2, 3, 4], positive: [true, true, false, false]) == 0)
        #expect(RoutingCurve.auroc([1, 2, 2, 3], positive: [false, true, false, true]) == 0.875)
    }
}
