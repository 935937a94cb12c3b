import KingletKernels
import Testing

/// The one top-k selector against a full sort, with ties, in any offer order.
@Suite struct TopKTests {
    static func bySort(_ pairs: [(Float, Int32)], k: Int) -> [TopK.Entry] {
        pairs.sorted { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }.prefix(max(k, 0)).map { TopK.Entry(value: $0.0, id: $0.1) }
    }

    @Test(arguments: [0, 1, 3, 17, 64, 300])
    func equalsAFullSortWithTies(k: Int) {
        var rng = SplitMix64(state: UInt64(k) &+ 11)
        // few distinct values, so many ties
        let values = (0 ..< 257).map { _ in Float(rng.next() % 9) - 4 }
        #expect(TopK.select(values, k: k) == Self.bySort(values.enumerated().map { ($1, Int32($0)) }, k: k))
        // ids offered in a shuffled order give the same selection
        var order = Array(values.indices)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        var top = TopK(capacity: k)
        for i in order { top.offer(values[i], id: Int32(i)) }
        #expect(top.sortedBestFirst() == TopK.select(values, k: k))
    }

    @Test func infinities() {
        let values: [Float] = [-.infinity, 2, .infinity, 2, 1]
        #expect(TopK.select(values, k: 3).map(\.id) == [2, 1, 3])
        #expect(TopK.select(values, k: 9).map(\.id) == [2, 1, 3, 4, 0])
    }
}
