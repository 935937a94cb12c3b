/// The one top-k selector: the `capacity` best of a stream of (value, id) pairs, best first by
/// higher value, then lower id — the order every sampler, logprob and teacher score uses.
///
/// A fixed-capacity binary heap whose root is the worst kept entry, so most candidates are
/// rejected with one comparison: O(n · log k) for n offers, no sort of the whole row.
public struct TopK: Sendable {
    public struct Entry: Sendable, Equatable {
        public var value: Float
        public var id: Int32
        public init(value: Float, id: Int32) { self.value = value; self.id = id }
    }

    private var items: [Entry] = []
    public let capacity: Int

    /// A selector keeping at most `capacity` entries (0 or less keeps none).
    public init(capacity: Int) {
        self.capacity = max(capacity, 0)
        items.reserveCapacity(self.capacity)
    }

    /// Entries kept so far.
    public var count: Int { items.count }

    @inline(__always) static func worse(_ a: Entry, _ b: Entry) -> Bool {
        a.value != b.value ? a.value < b.value : a.id > b.id
    }

    /// Offers one candidate, in any order. NaN is never kept over a number.
    @inline(__always) public mutating func offer(_ value: Float, id: Int32) {
        if items.count < capacity {
            items.append(Entry(value: value, id: id))
            var c = items.count - 1
            while c > 0, Self.worse(items[c], items[(c - 1) / 2]) {
                items.swapAt(c, (c - 1) / 2)
                c = (c - 1) / 2
            }
        } else if capacity > 0, value > items[0].value || (value == items[0].value && id < items[0].id) {
            items[0] = Entry(value: value, id: id)
            siftDown()
        }
    }

    /// Offers `values[i]` with id `i` for every i.
    public mutating func offer(_ values: UnsafeBufferPointer<Float>) {
        for i in values.indices { offer(values[i], id: Int32(truncatingIfNeeded: i)) }
    }

    private mutating func siftDown() {
        var p = 0
        while true {
            let l = 2 * p + 1, r = l + 1
            var w = p
            if l < items.count, Self.worse(items[l], items[w]) { w = l }
            if r < items.count, Self.worse(items[r], items[w]) { w = r }
            if w == p { return }
            items.swapAt(p, w)
            p = w
        }
    }

    /// The kept entries, best first.
    public func sortedBestFirst() -> [Entry] {
        items.sorted { Self.worse($1, $0) }
    }

    /// The `k` best of `values` (id = index), best first.
    public static func select(_ values: [Float], k: Int) -> [Entry] {
        var top = TopK(capacity: min(k, values.count))
        values.withUnsafeBufferPointer { top.offer($0) }
        return top.sortedBestFirst()
    }
}
