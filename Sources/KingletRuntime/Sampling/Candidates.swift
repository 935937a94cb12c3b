import Foundation

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

    /// Keeps the first `n` (after sorting).
    public mutating func keepFirst(_ n: Int) {
        sort()
        if n < ids.count {
            ids.removeSubrange(n...)
            logits.removeSubrange(n...)
        }
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
