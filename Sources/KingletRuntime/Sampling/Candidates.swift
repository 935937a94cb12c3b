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
        let best = Self.selectBest(n, ids: ids, logits: logits)
        ids = best.map { ids[$0] }
        logits = best.map { logits[$0] }
        sorted = true
    }

    /// Indices of the `n` best candidates (higher logit; on ties the lower id), best first.
    /// O(count · log n): a min-heap holds the n best seen so far, its root the worst of them.
    static func selectBest(_ n: Int, ids: [Int32], logits: [Float]) -> [Int] {
        guard n > 0 else { return [] }
        func better(_ a: Int, _ b: Int) -> Bool { logits[a] != logits[b] ? logits[a] > logits[b] : ids[a] < ids[b] }
        var heap: [Int] = []
        heap.reserveCapacity(n)
        func siftDown(_ start: Int) {
            var i = start
            while true {
                let l = 2 * i + 1, r = l + 1
                var worst = i
                if l < heap.count && better(heap[worst], heap[l]) { worst = l }
                if r < heap.count && better(heap[worst], heap[r]) { worst = r }
                if worst == i { return }
                heap.swapAt(i, worst)
                i = worst
            }
        }
        for i in logits.indices {
            if heap.count < n {
                heap.append(i)
                var j = heap.count - 1
                while j > 0 {
                    let parent = (j - 1) / 2
                    guard better(heap[parent], heap[j]) else { break }
                    heap.swapAt(parent, j)
                    j = parent
                }
            } else if better(i, heap[0]) {
                heap[0] = i
                siftDown(0)
            }
        }
        return heap.sorted(by: better)
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
