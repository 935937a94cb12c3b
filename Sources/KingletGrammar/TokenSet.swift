/// A set of token ids stored the cheaper way for its size: a sorted list when few, else a bitset
/// over the vocabulary.
struct TokenSet: Sendable {
    private(set) var list: [Int32] = []
    private(set) var bits: [UInt64]? = nil

    init() {}

    init(_ tokens: [Int32], wordCount: Int) {
        if tokens.count * 2 < wordCount {
            list = tokens.sorted()
        } else {
            var b = Array(repeating: UInt64(0), count: wordCount)
            for t in tokens { b[Int(t) >> 6] |= 1 << UInt64(t & 63) }
            bits = b
        }
    }

    /// Whether the set is stored as a bitset.
    var isBitset: Bool { bits != nil }

    /// The union of `sets` as one bitset.
    static func bitsetUnion(_ sets: [TokenSet], wordCount: Int) -> TokenSet {
        var out = TokenSet()
        var b = Array(repeating: UInt64(0), count: wordCount)
        for set in sets { set.insert(into: &b) }
        out.bits = b
        return out
    }

    /// Storage in 4-byte words.
    var storageWords: Int { bits.map { $0.count * 2 } ?? list.count }

    /// Sets the members' bits in `mask` (same word count).
    @inline(__always)
    func insert(into mask: inout [UInt64]) {
        if let bits {
            for i in 0 ..< mask.count { mask[i] |= bits[i] }
        } else {
            mask.setBits(list)
        }
    }
}

extension Array where Element == UInt64 {
    /// Sets bit `t` for each token `t`.
    @inline(__always)
    mutating func setBits(_ tokens: [Int32]) {
        for t in tokens { self[Int(t) >> 6] |= 1 << UInt64(t & 63) }
    }
}
