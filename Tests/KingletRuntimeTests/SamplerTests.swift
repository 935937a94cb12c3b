import Foundation
import KingletKernels
import Testing
@testable import KingletRuntime

@Suite struct SamplerTests {
    /// logits ln(0.5), ln(0.25), ln(0.15), ln(0.1): probabilities 0.5, 0.25, 0.15, 0.1.
    static let logits: [Float] = [0.5, 0.25, 0.15, 0.1].map { logf($0) }

    func probs(_ c: Candidates) -> [Int32: Float] {
        Dictionary(uniqueKeysWithValues: zip(c.ids, c.probabilities()))
    }

    @Test func softmaxMatchesHandComputed() {
        let p = Candidates(logits: Self.logits).probabilities()
        for (a, b) in zip(p, [0.5, 0.25, 0.15, 0.1] as [Float]) { #expect(abs(a - b) < 1e-6) }
    }

    @Test func topKKeepsTheKLargestAndRenormalises() {
        var c = Candidates(logits: Self.logits)
        TopKSampler(2).apply(&c, history: [])
        #expect(c.ids == [0, 1])
        let p = probs(c)
        #expect(abs(p[0]! - 2.0 / 3.0) < 1e-6)
        #expect(abs(p[1]! - 1.0 / 3.0) < 1e-6)
    }

    /// Top-k by partial selection keeps exactly what a full sort keeps, ties included.
    @Test func partialSelectionEqualsFullSort() {
        var rng = Xoshiro256StarStar(seed: 9)
        for trial in 0 ..< 20 {
            let count = 1000 + trial * 37
            // few distinct values, so many ties straddle the cut
            let logits = (0 ..< count).map { _ in Float(rng.next() % 50) / 7 }
            for k in [1, 5, 40, 100] {
                var partial = Candidates(logits: logits)
                partial.keepFirst(k)
                var full = Candidates(logits: logits)
                full.sort()
                #expect(partial.ids == Array(full.ids.prefix(k)), "trial \(trial) k \(k)")
                #expect(partial.logits == Array(full.logits.prefix(k)))
                #expect(partial.sorted)
            }
        }
    }

    @Test func topPKeepsTheSmallestNucleus() {
        var c = Candidates(logits: Self.logits)
        TopPSampler(0.7).apply(&c, history: [])   // 0.5 < 0.7 ≤ 0.75
        #expect(c.ids == [0, 1])
        c = Candidates(logits: Self.logits)
        TopPSampler(0.76).apply(&c, history: [])  // needs 0.9
        #expect(c.ids == [0, 1, 2])
        c = Candidates(logits: Self.logits)
        TopPSampler(1).apply(&c, history: [])
        #expect(c.count == 4)
    }

    @Test func minPDropsTokensBelowAFractionOfTheTop() {
        var c = Candidates(logits: Self.logits)
        MinPSampler(0.3).apply(&c, history: [])   // threshold 0.15: keeps 0.5, 0.25, 0.15
        #expect(c.ids == [0, 1, 2])
        c = Candidates(logits: Self.logits)
        MinPSampler(0.31).apply(&c, history: [])
        #expect(c.ids == [0, 1])
    }

    @Test func temperatureSharpens() {
        var c = Candidates(logits: Self.logits)
        TemperatureSampler(0.5).apply(&c, history: [])
        // p ∝ p₀²: 0.25, 0.0625, 0.0225, 0.01 over 0.345
        let p = c.probabilities()
        #expect(abs(p[0] - 0.25 / 0.345) < 1e-5)
        #expect(abs(p[3] - 0.01 / 0.345) < 1e-5)
    }

    @Test func repetitionPenaltyDividesPositiveAndMultipliesNegative() {
        var c = Candidates(ids: [0, 1, 2], logits: [2, -2, 1])
        PenaltySampler(repeat: 2).apply(&c, history: [0, 1, 0])
        #expect(c.logits == [1, -4, 1])
    }

    @Test func presenceAndFrequencyPenalties() {
        var c = Candidates(ids: [0, 1, 2], logits: [2, 2, 2])
        PenaltySampler(presence: 0.5, frequency: 0.25).apply(&c, history: [0, 0, 1])
        #expect(c.logits == [2 - 0.5 - 0.5, 2 - 0.25 - 0.5, 2])
    }

    @Test func greedyPicksTheArgmaxFirstOnTies() {
        var s = SamplerChain(.greedy)
        #expect(s.sample([1, 3, 3, 2], history: []) == 1)
    }

    @Test func sameSeedSameDraws() {
        var p = SamplingParameters()
        p.seed = 42
        p.topK = 0; p.topP = 1; p.minP = 0; p.temperature = 1
        var a = SamplerChain(p), b = SamplerChain(p)
        let logits = (0 ..< 100).map { Float($0 % 7) * 0.3 }
        let xs = (0 ..< 50).map { _ in a.sample(logits, history: []) }
        let ys = (0 ..< 50).map { _ in b.sample(logits, history: []) }
        #expect(xs == ys)
        #expect(Set(xs).count > 3)
    }

    @Test func drawsFollowTheDistribution() {
        var p = SamplingParameters()
        p.seed = 7; p.topK = 0; p.topP = 1; p.minP = 0; p.temperature = 1
        var s = SamplerChain(p)
        var counts = [Int](repeating: 0, count: 4)
        let n = 20000
        for _ in 0 ..< n { counts[Int(s.sample(Self.logits, history: []))] += 1 }
        for (i, expected) in [0.5, 0.25, 0.15, 0.1].enumerated() {
            #expect(abs(Double(counts[i]) / Double(n) - expected) < 0.015, "token \(i): \(counts[i])")
        }
    }
}

@Suite struct StopMatcherTests {
    @Test func holdsBackAPossiblePrefixAndStopsBeforeTheMatch() {
        var m = StopMatcher(["</s>", "END"])
        #expect(m.feed("Hello <").emit == "Hello ")
        #expect(m.feed("/").emit == "")
        let r = m.feed("s> tail")
        #expect(r.emit == "" && r.stopped)
    }

    @Test func releasesTextThatTurnsOutNotToBeAStop() {
        var m = StopMatcher(["END"])
        #expect(m.feed("EN").emit == "")
        #expect(m.feed("x").emit == "ENx")
        #expect(m.flush() == "")
    }

    @Test func stopInsideOneChunk() {
        var m = StopMatcher(["\n\n"])
        let r = m.feed("a\n\nb")
        #expect(r.emit == "a" && r.stopped)
    }

    @Test func noStopsPassesThrough() {
        var m = StopMatcher([])
        #expect(m.feed("abc").emit == "abc")
    }
}

