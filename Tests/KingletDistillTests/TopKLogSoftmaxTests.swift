import Foundation
import KingletRuntime
import Testing
@testable import KingletDistill

@Suite struct TopKLogSoftmaxTests {
    struct Reduced { var ids: [Int32]; var logprobs: [Float]; var tail: Float? }

    static func reduce(_ row: [Float], k: Int) -> Reduced {
        var ids = [Int32](repeating: 7, count: k), lps = [Float](repeating: 7, count: k)
        let tail = row.withUnsafeBufferPointer { TopKLogSoftmax.reduce($0, k: k, ids: &ids, logprobs: &lps) }
        return Reduced(ids: ids, logprobs: lps, tail: tail)
    }

    /// The plain definition: full sort (value desc, id asc), log-softmax in Float64.
    static func reference(_ row: [Float], k: Int) -> (ids: [Int32], logprobs: [Double], tailMass: Double) {
        let m = Double(row.max()!)
        let z = row.reduce(0.0) { $0 + exp(Double($1) - m) }
        let order = row.indices.sorted { row[$0] != row[$1] ? row[$0] > row[$1] : $0 < $1 }
        let top = Array(order.prefix(k))
        let topMass = top.reduce(0.0) { $0 + exp(Double(row[$1]) - m) / z }
        return (top.map(Int32.init), top.map { Double(row[$0]) - m - log(z) }, 1 - topMass)
    }

    static func randomRow(_ n: Int, seed: UInt64, scale: Float = 6) -> [Float] {
        var s = seed
        return (0 ..< n).map { _ in
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return scale * (Float(s >> 40) / Float(1 << 24) * 2 - 1)
        }
    }

    @Test func knownDistributionSumsToOne() throws {
        // p = (0.4, 0.3, 0.2, 0.1): top-2 keeps 0.4 and 0.3, the tail is 0.3.
        let p: [Double] = [0.1, 0.4, 0.2, 0.3]
        let r = Self.reduce(p.map { Float(log($0) + 2.5) }, k: 2)
        #expect(r.ids == [1, 3])
        #expect(abs(Double(r.logprobs[0]) - log(0.4)) < 1e-6 && abs(Double(r.logprobs[1]) - log(0.3)) < 1e-6)
        let tail = try #require(r.tail)
        #expect(abs(exp(Double(tail)) - 0.3) < 1e-6)
        #expect(abs(r.logprobs.reduce(0.0) { $0 + exp(Double($1)) } + exp(Double(tail)) - 1) < 1e-6)
    }

    @Test(arguments: [1, 5, 32, 200])
    func matchesTheFullSortDefinition(k: Int) throws {
        for seed: UInt64 in 1 ... 5 {
            let row = Self.randomRow(1000, seed: seed)
            let r = Self.reduce(row, k: k), want = Self.reference(row, k: k)
            #expect(r.ids == want.ids)
            let worst = zip(r.logprobs, want.logprobs).map { abs(Double($0) - $1) }.max()!
            #expect(worst < 1e-5, "max |Δ logprob| = \(worst)")
            let tail = try #require(r.tail)
            #expect(abs(exp(Double(tail)) - want.tailMass) < 1e-6)
            #expect(abs(r.logprobs.reduce(0.0) { $0 + exp(Double($1)) } + exp(Double(tail)) - 1) < 1e-6)
        }
    }

    @Test func aPeakedRowKeepsItsTinyTailAccurate() throws {
        // One logit far above the rest: 1 − Σ top would cancel to 0 in Float; the tail is summed directly.
        var row = [Float](repeating: 0, count: 50)
        row[7] = 40
        let r = Self.reduce(row, k: 1)
        let want = log(49.0) - 40 - log1p(49 * exp(-40.0))   // log(49 e^0 / (e^40 + 49)) in a stable form
        #expect(r.ids == [7])
        #expect(abs(Double(try #require(r.tail)) - want) < 1e-5)
    }

    @Test func kEqualToTheVocabularyLeavesAClampedTail() throws {
        let row = Self.randomRow(16, seed: 9)
        let r = Self.reduce(row, k: 16)
        #expect(Set(r.ids) == Set((0 ..< 16).map(Int32.init)))
        let tail = try #require(r.tail)
        #expect(tail.isFinite)
        #expect(Double(tail) == log(TopKLogSoftmax.minimumTailMass).rounded(toPlaces: Float.self))
        #expect(abs(r.logprobs.reduce(0.0) { $0 + exp(Double($1)) } + exp(Double(tail)) - 1) < 1e-6)
    }

    @Test func kAboveTheVocabularyPads() throws {
        let r = Self.reduce([1, 3, 2], k: 5)
        #expect(r.ids == [1, 2, 0, ScoreRecord.paddingID, ScoreRecord.paddingID])
        #expect(r.logprobs[3] == -.infinity && r.logprobs[4] == -.infinity)
        #expect(abs(r.logprobs.reduce(0.0) { $0 + exp(Double($1)) } - 1) < 1e-6)
    }

    @Test func tiesKeepTheLowerIdAndTheTailCountsTheRest() throws {
        // Five equal logits, k = 2: ids 0 and 1 kept, the other three are the tail (3/5).
        let r = Self.reduce([Float](repeating: 0.5, count: 5), k: 2)
        #expect(r.ids == [0, 1])
        #expect(abs(exp(Double(try #require(r.tail))) - 0.6) < 1e-6)
        // Ties at the k-th value between kept and dropped entries.
        let r2 = Self.reduce([1, 3, 1, 3, 1], k: 3)
        #expect(r2.ids == [1, 3, 0])
        let z = 2 * exp(3.0) + 3 * exp(1.0)
        #expect(abs(exp(Double(try #require(r2.tail))) - 2 * exp(1.0) / z) < 1e-6)
    }

    @Test func nonFiniteRowsAreRefused() {
        #expect(Self.reduce([0, .nan, 1], k: 1).tail == nil)
        #expect(Self.reduce([0, .nan, 1], k: 3).tail == nil)
        #expect(Self.reduce([0, .infinity, 1], k: 1).tail == nil)
        #expect(Self.reduce([-.infinity, -.infinity], k: 1).tail == nil)
        #expect(Self.reduce([-.infinity, 0, -.infinity], k: 1).tail != nil, "−∞ logits are zero probability")
    }
}

extension Double {
    /// The value after a round trip through `Float`.
    func rounded(toPlaces _: Float.Type) -> Double { Double(Float(self)) }
}
