/// A set of Unicode scalar values as sorted, disjoint, non-adjacent closed ranges.
///
/// Surrogates (U+D800–U+DFFF) are never members: they have no UTF-8 encoding.
struct CodePointSet: Sendable, Hashable {
    /// Sorted, disjoint, non-adjacent closed ranges.
    private(set) var ranges: [ClosedRange<UInt32>] = []

    static let maxScalar: UInt32 = 0x10FFFF

    init() {}

    init(_ ranges: [ClosedRange<UInt32>]) {
        for r in ranges { insert(r) }
    }

    /// Every scalar value.
    static var all: CodePointSet { CodePointSet([0 ... maxScalar]) }

    var isEmpty: Bool { ranges.isEmpty }

    func contains(_ c: UInt32) -> Bool {
        var lo = 0, hi = ranges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ranges[mid].upperBound < c { lo = mid + 1 } else { hi = mid }
        }
        return lo < ranges.count && ranges[lo].contains(c)
    }

    /// Adds a range (clamped to valid scalars, surrogates removed).
    mutating func insert(_ r: ClosedRange<UInt32>) {
        guard r.lowerBound <= Self.maxScalar else { return }
        let upper = min(r.upperBound, Self.maxScalar)
        if r.lowerBound <= 0xDFFF && upper >= 0xD800 {
            if r.lowerBound < 0xD800 { insertRaw(r.lowerBound ... 0xD7FF) }
            if upper > 0xDFFF { insertRaw(0xE000 ... upper) }
        } else {
            insertRaw(r.lowerBound ... upper)
        }
    }

    private mutating func insertRaw(_ r: ClosedRange<UInt32>) {
        var lo = r.lowerBound, hi = r.upperBound
        var kept: [ClosedRange<UInt32>] = []
        kept.reserveCapacity(ranges.count + 1)
        var placed = false
        for x in ranges {
            if x.upperBound &+ 1 < lo {
                kept.append(x)
            } else if hi &+ 1 < x.lowerBound {
                if !placed { kept.append(lo ... hi); placed = true }
                kept.append(x)
            } else {
                lo = min(lo, x.lowerBound)
                hi = max(hi, x.upperBound)
            }
        }
        if !placed { kept.append(lo ... hi) }
        ranges = kept
    }

    mutating func formUnion(_ other: CodePointSet) {
        for r in other.ranges { insertRaw(r) }
    }

    /// All valid scalars not in the set.
    var inverted: CodePointSet {
        var out = CodePointSet()
        var next: UInt32 = 0
        for r in ranges {
            if r.lowerBound > next { out.insert(next ... r.lowerBound - 1) }
            next = r.upperBound + 1
        }
        if next <= Self.maxScalar { out.insert(next ... Self.maxScalar) }
        return out
    }

    /// The set minus `other`.
    func subtracting(_ other: CodePointSet) -> CodePointSet {
        var inv = other.inverted
        inv.formIntersection(self)
        return inv
    }

    mutating func formIntersection(_ other: CodePointSet) {
        var out: [ClosedRange<UInt32>] = []
        var i = 0, j = 0
        while i < ranges.count && j < other.ranges.count {
            let a = ranges[i], b = other.ranges[j]
            let lo = max(a.lowerBound, b.lowerBound), hi = min(a.upperBound, b.upperBound)
            if lo <= hi { out.append(lo ... hi) }
            if a.upperBound < b.upperBound { i += 1 } else { j += 1 }
        }
        ranges = out
    }
}
