/// A candidate merge of two adjacent symbols in one word.
struct BPECandidate {
    var rank: Int32      // merge index in the file: lower merges first
    var left: Int32      // symbol index of the left side (its original byte position)
    var right: Int32
    var leftSymbol: Int32   // what the sides spelled when the candidate was made;
    var rightSymbol: Int32  // a side that has changed since makes the candidate stale
    var merged: Int32

    /// llama.cpp's order: lowest rank, then leftmost.
    @inline(__always)
    static func precedes(_ a: BPECandidate, _ b: BPECandidate) -> Bool {
        a.rank < b.rank || (a.rank == b.rank && a.left < b.left)
    }
}

/// A binary min-heap of merge candidates, reused across words.
struct BPEMergeQueue {
    private var heap: [BPECandidate] = []

    var isEmpty: Bool { heap.isEmpty }

    mutating func removeAll() { heap.removeAll(keepingCapacity: true) }

    mutating func push(_ c: BPECandidate) {
        heap.append(c)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard BPECandidate.precedes(heap[i], heap[parent]) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> BPECandidate? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if heap.isEmpty { return top }
        heap[0] = last
        var i = 0
        let n = heap.count
        while true {
            let l = 2 * i + 1, r = l + 1
            var best = i
            if l < n, BPECandidate.precedes(heap[l], heap[best]) { best = l }
            if r < n, BPECandidate.precedes(heap[r], heap[best]) { best = r }
            if best == i { break }
            heap.swapAt(i, best)
            i = best
        }
        return top
    }
}
