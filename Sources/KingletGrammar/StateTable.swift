/// Interned stack sets met by trie walks and their memoized byte transitions: most trie nodes
/// (e.g. every character inside a string) lead to a set seen before, so a walk is mostly table
/// lookups (a DFA over stack sets, built lazily). Ids are only meaningful with the arena whose
/// stacks the sets hold.
struct StateTable {
    static let unknown: Int32 = -3
    static let failed: Int32 = -2
    static let dead: Int32 = -1

    private(set) var sets: [[Int32]] = []
    /// Whether the set holds the escaped marker (some path popped below the context).
    private(set) var escaped: [Bool] = []
    /// Whether the set is the escaped marker alone (every path popped below the context).
    private(set) var escapedOnly: [Bool] = []
    private var index: [[Int32]: Int32] = [:]
    private var transitions: [Int32] = []

    var count: Int { sets.count }

    mutating func intern(_ set: [Int32]) -> Int32 {
        if let id = index[set] { return id }
        let id = Int32(sets.count)
        sets.append(set)
        escaped.append(set.first == StackArena.escaped)
        escapedOnly.append(set == [StackArena.escaped])
        index[set] = id
        transitions.append(contentsOf: repeatElement(Self.unknown, count: 256))
        return id
    }

    @inline(__always) func transition(_ from: Int32, _ byte: UInt8) -> Int32 {
        transitions[Int(from) << 8 | Int(byte)]
    }

    mutating func setTransition(_ from: Int32, _ byte: UInt8, _ to: Int32) {
        transitions[Int(from) << 8 | Int(byte)] = to
    }

    mutating func removeAll() {
        sets.removeAll(keepingCapacity: true)
        escaped.removeAll(keepingCapacity: true)
        escapedOnly.removeAll(keepingCapacity: true)
        index.removeAll(keepingCapacity: true)
        transitions.removeAll(keepingCapacity: true)
    }
}
