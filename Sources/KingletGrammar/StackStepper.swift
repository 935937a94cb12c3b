/// The pushdown step: expanding a position until every stack's top is a byte set, and advancing
/// a set of stacks over one byte. Shared by the matcher, the mask cache and the mask walk.
extension GrammarProgram {
    /// Most expansion steps one byte may cost before matching gives up (hostile grammars).
    static let expansionBudget = 200_000
    /// Deepest recursion one expansion may take (chains of empty alternatives), so that hostile
    /// grammars cannot exhaust a thread's stack.
    static let maxExpansionDepth = 1_000

    /// Expands position `pc` over stack `rest` into stacks whose tops are byte sets (or the
    /// accepted/escaped markers), appending them to `out`. Returns false when `budget` runs out.
    @inline(__always)
    func expand(_ pc: Int32, rest: Int32, arena: inout StackArena, into out: inout [Int32], budget: inout Int, depth: Int = 0) -> Bool {
        budget -= 1
        if budget < 0 || depth > Self.maxExpansionDepth { return false }
        switch kinds[Int(pc)] {
        case .bytes:
            out.append(arena.push(pc, on: rest))
            return true
        case .end:
            if rest < 0 { out.append(rest); return true }
            return expand(arena.position(rest), rest: arena.parent(rest), arena: &arena, into: &out, budget: &budget, depth: depth + 1)
        case .call:
            let ret = pc + 1
            let inner = kinds[Int(ret)] == .end ? rest : arena.push(ret, on: rest)
            for start in alternatives[Int(callees[Int(pc)])] {
                if !expand(start, rest: inner, arena: &arena, into: &out, budget: &budget, depth: depth + 1) { return false }
            }
            return true
        }
    }

    /// The stacks after `byte`, sorted and unique, in `out` (cleared first). Markers (accepted,
    /// escaped) in `stacks` cannot advance and are dropped. Returns false on budget or limit.
    func advance(_ stacks: [Int32], byte: UInt8, arena: inout StackArena, into out: inout [Int32], limit: Int) -> Bool {
        out.removeAll(keepingCapacity: true)
        var budget = Self.expansionBudget
        for s in stacks where s >= 0 {
            let pc = arena.position(s)
            guard byteSets[Int(pc)].contains(byte) else { continue }
            if !expand(pc + 1, rest: arena.parent(s), arena: &arena, into: &out, budget: &budget) { return false }
        }
        Self.sortUnique(&out)
        return out.count <= limit
    }

    /// The stacks of a fresh match of the root rule.
    func initialStacks(arena: inout StackArena, limit: Int) -> [Int32]? {
        var out: [Int32] = []
        var budget = Self.expansionBudget
        for start in alternatives[Int(root)] {
            guard expand(start, rest: StackArena.accepted, arena: &arena, into: &out, budget: &budget) else { return nil }
        }
        Self.sortUnique(&out)
        return out.count <= limit ? out : nil
    }

    @inline(__always)
    static func sortUnique(_ a: inout [Int32]) {
        guard a.count > 1 else { return }
        a.sort()
        var w = 1
        for r in 1 ..< a.count where a[r] != a[w - 1] {
            a[w] = a[r]
            w += 1
        }
        a.removeSubrange(w...)
    }
}
