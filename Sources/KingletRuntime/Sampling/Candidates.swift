import Foundation
import KingletKernels

/// The tokens still in the running for the next position, with their logits (and, once
/// normalised, probabilities). Samplers narrow and reshape this set.
public struct Candidates: Sendable {
    public var ids: [Int32]
    public var logits: [Float]
    /// True once `ids` are in descending logit order.
    public var sorted = false

    public init(logits: [Float]) {
        self.ids = (0 ..< Int32(logits.count)).map { $0 }
        self.logits = logits
    }

    public init(ids: [Int32], logits: [Float], sorted: Bool = false) {
        self.ids = ids
        self.logits = logits
        self.sorted = sorted
    }

    public var count: Int { ids.count }

    /// Sorts by descending logit (ties by ascending id, for determinism).
    public mutating func sort() {
        guard !sorted else { return }
        let order = (0 ..< ids.count).sorted {
            logits[$0] != logits[$1] ? logits[$0] > logits[$1] : ids[$0] < ids[$1]
        }
        ids = order.map { ids[$0] }
        logits = order.map { logits[$0] }
        sorted = true
    }

    /// Keeps the first `n` (after sorting). For small `n` the n best are selected with a heap and
    /// only they are sorted, under the same order as `sort()`, so the result is identical.
    public mutating func keepFirst(_ n: Int) {
        if sorted || n >= ids.count / 8 {
            sort()
            if n < ids.count {
                ids.removeSubrange(n...)
                logits.removeSubrange(n...)
            }
            return
        }
        var top = TopK(capacity: n)
        for i in ids.indices { top.offer(logits[i], id: ids[i]) }
        let best = top.sortedBestFirst()
        ids = best.map(\.id)
        logits = best.map(\.value)
        sorted = true
    }

    /// Softmax of the logits, computed stably. [count]
    public func probabilities() -> [Float] {
        guard let m = logits.max() else { return [] }
        var e = logits.map { expf($0 - m) }
        let sum = e.reduce(0, +)
        for i in e.indices { e[i] /= sum }
        return e
    }
}
