import Foundation

/// The routing curve of one confidence signal on a labelled set, and the field's figures from it.
///
/// Every item has a local answer (right or wrong), an upstream answer (right or wrong) and the
/// local answer's score. Escalating the k least confident items gives accuracy(k); the curve is
/// accuracy against the share escalated, k/N, from the local model's accuracy (k = 0) to the
/// upstream's (k = N). Items with equal scores are escalated as a group in random order, so
/// within a group the curve is the expected (linear) one.
///
/// - PGR(k) = (accuracy(k) − local) / (upstream − local): the share of the gap recovered.
/// - APGR: the area under PGR over the share escalated (trapezoids); random routing's is 0.5.
/// - CPT(p): the least share escalated whose PGR reaches p; random routing's is p.
/// - AUROC: the probability that a right local answer scores above a wrong one (ties ½): how well
///   the score predicts a wrong local answer; 0.5 is chance.
public struct RoutingCurve: Sendable {
    /// One labelled item.
    public struct Item: Sendable, Equatable {
        public var localCorrect: Bool
        public var upstreamCorrect: Bool
        public var score: Double
        public init(localCorrect: Bool, upstreamCorrect: Bool, score: Double) {
            self.localCorrect = localCorrect
            self.upstreamCorrect = upstreamCorrect
            self.score = score
        }
    }

    /// accuracy(k) for k = 0 ... N.
    public let accuracy: [Double]
    /// Scores in ascending order (the order of escalation).
    public let sortedScores: [Double]
    public let localAccuracy: Double
    public let upstreamAccuracy: Double
    /// AUROC of the score for a wrong local answer; nil when every local answer is right or every one wrong.
    public let auroc: Double?

    public init(_ items: [Item]) {
        let n = items.count
        let sorted = items.sorted { $0.score < $1.score }
        sortedScores = sorted.map(\.score)
        let gain = sorted.map { Double($0.upstreamCorrect ? 1 : 0) - Double($0.localCorrect ? 1 : 0) }
        let local = Double(items.filter(\.localCorrect).count)
        localAccuracy = n == 0 ? 0 : local / Double(n)
        upstreamAccuracy = n == 0 ? 0 : Double(items.filter(\.upstreamCorrect).count) / Double(n)
        var acc = [Double](repeating: localAccuracy, count: n + 1)
        var correct = local
        var start = 0
        while start < n {
            var end = start + 1
            while end < n && sorted[end].score == sorted[start].score { end += 1 }
            let groupGain = gain[start ..< end].reduce(0, +)
            for k in start + 1 ... end {
                acc[k] = (correct + groupGain * Double(k - start) / Double(end - start)) / Double(n)
            }
            correct += groupGain
            start = end
        }
        accuracy = acc
        auroc = Self.auroc(items.map(\.score), positive: items.map(\.localCorrect))
    }

    public var count: Int { sortedScores.count }

    /// Share of the gap recovered at each k; nil when the upstream is no better than the local model.
    public var recovered: [Double]? {
        let gap = upstreamAccuracy - localAccuracy
        guard gap > 0 else { return nil }
        return accuracy.map { ($0 - localAccuracy) / gap }
    }

    /// Average performance-gap recovered (area under PGR over the share escalated).
    public var apgr: Double? {
        guard let pgr = recovered, count > 0 else { return nil }
        var area = 0.0
        for k in 0 ..< count { area += (pgr[k] + pgr[k + 1]) / 2 }
        return area / Double(count)
    }

    /// Least share escalated recovering `share` of the gap (CPT(50%) is `cpt(0.5)`).
    public func cpt(_ share: Double) -> Double? {
        guard let pgr = recovered else { return nil }
        guard let k = pgr.firstIndex(where: { $0 >= share - 1e-12 }) else { return nil }
        return Double(k) / Double(count)
    }

    /// The threshold escalating `share` of the items (those scoring below it).
    public func threshold(escalating share: Double) -> Double {
        guard count > 0 else { return 0 }
        let k = min(count, max(0, Int((share * Double(count)).rounded())))
        return k == count ? sortedScores[count - 1].nextUp : sortedScores[k]
    }

    /// The threshold of the least escalation whose accuracy reaches `target`; nil when none does.
    public func threshold(quality target: Double) -> Double? {
        guard let k = accuracy.firstIndex(where: { $0 >= target - 1e-12 }) else { return nil }
        return threshold(escalating: Double(k) / Double(max(count, 1)))
    }

    /// P(score of a positive > score of a negative), ties counted ½ (the Mann–Whitney U statistic
    /// over the pair count). Nil when either class is empty.
    public static func auroc(_ scores: [Double], positive: [Bool]) -> Double? {
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        let positives = positive.filter { $0 }.count, negatives = positive.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        // Sum of the positives' ranks (average rank within ties).
        var rankSum = 0.0
        var i = 0
        while i < order.count {
            var j = i + 1
            while j < order.count && scores[order[j]] == scores[order[i]] { j += 1 }
            let rank = Double(i + 1 + j) / 2  // ranks i+1 ... j averaged
            for t in i ..< j where positive[order[t]] { rankSum += rank }
            i = j
        }
        let u = rankSum - Double(positives * (positives + 1)) / 2
        return u / Double(positives * negatives)
    }
}
