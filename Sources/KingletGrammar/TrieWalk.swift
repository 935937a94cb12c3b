/// Walks chosen subtrees of the token trie from a set of parse stacks, sorting each token into
/// accepted, rejected or uncertain (see ``ContextMasks``). One walker serves the three walks of
/// the mask machinery: a grammar position's whole trie when the masker is built, a context's
/// share of its position's uncertain subtrees on the context's first use, and a context's
/// uncertain subtrees from the real stack at each step.
///
/// Subtrees are given by their root nodes in depth-first order (node 0: the whole trie). The
/// states of a root's ancestors are computed once and shared by the roots below them, and every
/// byte transition is memoized in ``states``.
struct TrieWalk {
    let program: GrammarProgram
    let trie: TokenTrie
    /// Most stacks in a set before the walk gives up on the path (it is rejected: fail closed).
    let limit: Int
    /// Whether a node reached only by paths that popped below the context is uncertain rather
    /// than accepted: true for grammars with a rule that matches nothing (an empty character
    /// class), where the stack below may have no way to go on.
    let escapeIsUncertain: Bool
    var states = StateTable()
    /// Trie nodes stepped into so far (a measure of work, for budgets).
    private(set) var visited = 0
    private var scratch: [Int32] = []
    /// Per depth: the state, whether some ancestor's set escaped, and the node they belong to.
    private var ids: [Int32]
    private var escapedAbove: [Bool]
    private var pathNode: [Int32]

    /// Tokens found accepted, and roots of subtrees found uncertain (depth-first order).
    struct Result {
        var accepted: [Int32] = []
        var uncertainRoots: [Int32] = []
    }

    init(program: GrammarProgram, trie: TokenTrie, limit: Int) {
        self.program = program
        self.trie = trie
        self.limit = limit
        escapeIsUncertain = program.hasRuleMatchingNothing
        ids = Array(repeating: 0, count: trie.maxTokenLength + 1)
        escapedAbove = Array(repeating: false, count: trie.maxTokenLength + 1)
        pathNode = Array(repeating: -1, count: trie.maxTokenLength + 1)
    }

    /// Walks the subtrees at `roots` from the stack set `start` (stacks of `arena`, sorted).
    mutating func run(from start: [Int32], roots: [Int32], arena: inout StackArena, into result: inout Result) {
        for d in pathNode.indices { pathNode[d] = -1 }
        ids[0] = states.intern(start)
        escapedAbove[0] = false
        pathNode[0] = 0
        for r in roots {
            if r == 0 {
                walk(1, to: trie.nodeCount, arena: &arena, into: &result)
                continue
            }
            switch reachParent(of: r, arena: &arena) {
            case .live: walk(Int(r), to: Int(trie.subtreeEnd[Int(r)]), arena: &arena, into: &result)
            case .uncertain: result.uncertainRoots.append(r)
            case .rejected: continue
            }
        }
    }

    private enum PathState { case live, uncertain, rejected }

    /// Makes `ids[depth(parent)]` the state of `r`'s parent, stepping down from the deepest
    /// ancestor already on the path.
    private mutating func reachParent(of r: Int32, arena: inout StackArena) -> PathState {
        var chain: [Int32] = []
        var a = trie.nodeParent[Int(r)]
        while a > 0 && pathNode[Int(trie.nodeDepth[Int(a)])] != a {
            chain.append(a)
            a = trie.nodeParent[Int(a)]
        }
        for node in chain.reversed() {
            let d = Int(trie.nodeDepth[Int(node)])
            let to = step(ids[d - 1], trie.nodeByte[Int(node)], arena: &arena)
            if to < 0 || (escapeIsUncertain && states.escapedOnly[Int(to)]) {
                pathNode[d] = -1
                let uncertain = to >= 0 || (to == StateTable.dead && escapedAbove[d - 1])
                return uncertain ? .uncertain : .rejected
            }
            ids[d] = to
            escapedAbove[d] = escapedAbove[d - 1] || states.escaped[Int(to)]
            pathNode[d] = node
        }
        return .live
    }

    /// Walks nodes `lo ..< hi` (whole subtrees), their parents' states being on the path.
    private mutating func walk(_ lo: Int, to hi: Int, arena: inout StackArena, into result: inout Result) {
        var i = lo
        while i < hi {
            let d = Int(trie.nodeDepth[i])
            let to = step(ids[d - 1], trie.nodeByte[i], arena: &arena)
            visited += 1
            if to < 0 || (escapeIsUncertain && states.escapedOnly[Int(to)]) {
                if to >= 0 || (to == StateTable.dead && escapedAbove[d - 1]) { result.uncertainRoots.append(Int32(i)) }
                i = Int(trie.subtreeEnd[i])
                continue
            }
            ids[d] = to
            escapedAbove[d] = escapedAbove[d - 1] || states.escaped[Int(to)]
            pathNode[d] = Int32(i)
            for t in trie.tokenStart[i] ..< trie.tokenStart[i + 1] { result.accepted.append(trie.tokens[Int(t)]) }
            i += 1
        }
    }

    /// The state after `byte` from state `from`: memoized, else advanced (a budget or limit
    /// overrun is ``StateTable/failed``, no stack left ``StateTable/dead``).
    @inline(__always)
    private mutating func step(_ from: Int32, _ byte: UInt8, arena: inout StackArena) -> Int32 {
        var to = states.transition(from, byte)
        if to == StateTable.unknown {
            if !program.advance(states.sets[Int(from)], byte: byte, arena: &arena, into: &scratch, limit: limit) {
                to = StateTable.failed
            } else {
                to = scratch.isEmpty ? StateTable.dead : states.intern(scratch)
            }
            states.setTransition(from, byte, to)
        }
        return to
    }
}
