/// What can be decided about every token from the top of one parse stack alone.
///
/// A stack's *context* is its top position plus up to `K` return positions below it. Walking the
/// token trie from that context in isolation sorts every token into:
/// - accepted: some path consumes all its bytes without popping below the context, so it is
///   allowed whatever lies deeper in the stack;
/// - rejected: every path dies without popping below the context;
/// - uncertain: some path pops below the context with bytes left; decided per step by walking
///   those tokens (``uncertain``, a small sub-trie) from the real stack.
/// When the whole stack fits in the context, nothing is uncertain.
struct ContextMasks: Sendable {
    /// Accepted token ids, as a sorted list when few, else as a bitset.
    var acceptedList: [Int32] = []
    var acceptedBits: [UInt64]? = nil
    /// Trie nodes to walk at run time, depth-first: node, and the index after its subtree here.
    var uncertainNodes: [Int32] = []
    var uncertainSkip: [Int32] = []
    /// Whether the node's own tokens are uncertain (false for ancestors kept only as a path).
    var uncertainOwn: [Bool] = []

    var acceptedCount: Int { acceptedBits.map { $0.reduce(0) { $0 + $1.nonzeroBitCount } } ?? acceptedList.count }

    /// Computes the masks for a context: `frames` are positions top first; `closed` says the
    /// stack ends there (the root rule's frame is included), so nothing escapes.
    static func compute(program: GrammarProgram, trie: TokenTrie, frames: [Int32], closed: Bool) -> ContextMasks {
        var arena = StackArena()
        var top = closed ? StackArena.accepted : StackArena.escaped
        for p in frames.reversed() { top = arena.push(p, on: top) }
        // Stack sets met during the walk, interned, with their transitions memoized per byte: most
        // trie nodes (e.g. every character inside a string) lead to a set seen before, so the walk
        // is mostly table lookups (a DFA built lazily over this context's stack sets).
        var states = StateTable()
        var ids = Array(repeating: Int32(0), count: trie.maxTokenLength + 1)
        var escapedAbove = Array(repeating: false, count: trie.maxTokenLength + 1)
        ids[0] = states.intern([top])
        var scratch: [Int32] = []
        var accepted: [Int32] = []
        var uncertainRoots: [Int32] = []
        var i = 1
        let n = trie.nodeCount
        while i < n {
            let d = Int(trie.nodeDepth[i])
            let from = ids[d - 1], byte = trie.nodeByte[i]
            var to = states.transition(from, byte)
            if to == StateTable.unknown {
                // A budget overrun rejects (fail closed); an empty set may still be uncertain.
                if !program.advance(states.sets[Int(from)], byte: byte, arena: &arena, into: &scratch, limit: GrammarMatcher.defaultStackLimit) {
                    to = StateTable.failed
                } else {
                    to = scratch.isEmpty ? StateTable.dead : states.intern(scratch)
                }
                states.setTransition(from, byte, to)
            }
            if to < 0 {
                if to == StateTable.dead && escapedAbove[d - 1] { uncertainRoots.append(Int32(i)) }
                i = Int(trie.subtreeEnd[i])
                continue
            }
            ids[d] = to
            for t in trie.tokenStart[i] ..< trie.tokenStart[i + 1] { accepted.append(trie.tokens[Int(t)]) }
            escapedAbove[d] = escapedAbove[d - 1] || states.escaped[Int(to)]
            i += 1
        }
        var out = ContextMasks()
        if accepted.count * 2 < trie.maskWordCount {
            out.acceptedList = accepted.sorted()
        } else {
            var bits = Array(repeating: UInt64(0), count: trie.maskWordCount)
            for t in accepted { bits[Int(t) >> 6] |= 1 << UInt64(t & 63) }
            out.acceptedBits = bits
        }
        out.buildUncertain(roots: uncertainRoots, trie: trie)
        return out
    }

    /// Lists the uncertain subtrees and their ancestors depth-first, with skip indices.
    private mutating func buildUncertain(roots: [Int32], trie: TokenTrie) {
        var listed = Set<Int32>()
        var nodes: [Int32] = [], own: [Bool] = []
        for r in roots {
            var chain: [Int32] = []
            var j = trie.nodeParent[Int(r)]
            while j > 0 && !listed.contains(j) {
                chain.append(j)
                j = trie.nodeParent[Int(j)]
            }
            for a in chain.reversed() { listed.insert(a); nodes.append(a); own.append(false) }
            for k in r ..< trie.subtreeEnd[Int(r)] { listed.insert(k); nodes.append(k); own.append(true) }
        }
        var skip = Array(repeating: Int32(nodes.count), count: nodes.count)
        var open: [Int] = []
        for (idx, node) in nodes.enumerated() {
            while let t = open.last, trie.nodeDepth[Int(nodes[t])] >= trie.nodeDepth[Int(node)] {
                skip[t] = Int32(idx)
                open.removeLast()
            }
            open.append(idx)
        }
        uncertainNodes = nodes
        uncertainSkip = skip
        uncertainOwn = own
    }
}

/// Interned stack sets of one context walk and their memoized byte transitions.
struct StateTable {
    static let unknown: Int32 = -3
    static let failed: Int32 = -2
    static let dead: Int32 = -1

    private(set) var sets: [[Int32]] = []
    private(set) var escaped: [Bool] = []
    private var index: [[Int32]: Int32] = [:]
    private var transitions: [Int32] = []

    mutating func intern(_ set: [Int32]) -> Int32 {
        if let id = index[set] { return id }
        let id = Int32(sets.count)
        sets.append(set)
        escaped.append(set.first == StackArena.escaped)
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
}
