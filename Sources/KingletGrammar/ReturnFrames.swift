/// Which return positions can lie directly below a rule's frame on a parse stack: what a
/// position's first frame below can be. Used to list, when a masker is built, the contexts of a
/// position and one frame below that the grammar can produce.
extension GrammarProgram {
    /// The rule each position belongs to.
    func ruleOfPosition() -> [Int32] {
        var rule = Array(repeating: Int32(-1), count: count)
        for (r, starts) in alternatives.enumerated() {
            for start in starts {
                var pc = Int(start)
                while pc < count {
                    rule[pc] = Int32(r)
                    if kinds[pc] == .end { break }
                    pc += 1
                }
            }
        }
        return rule
    }

    /// Per rule, the return positions that can be directly below its frame (sorted): after a
    /// call to it, unless the call ends its alternative (a tail call pushes nothing, so the
    /// caller's own frames below count). The bottom of the stack (the root rule done) is not
    /// listed.
    func returnFrames(ruleOf rule: [Int32]) -> [[Int32]] {
        var direct = Array(repeating: Set<Int32>(), count: alternatives.count)
        var tailCallers = Array(repeating: Set<Int32>(), count: alternatives.count)
        for pc in 0 ..< count where kinds[pc] == .call {
            let callee = Int(callees[pc])
            if kinds[pc + 1] == .end { tailCallers[callee].insert(rule[pc]) } else { direct[callee].insert(Int32(pc + 1)) }
        }
        // Fixpoint: frames(R) = direct(R) ∪ frames(S) for every S that tail-calls R.
        var frames = direct
        var changed = true
        while changed {
            changed = false
            for r in frames.indices {
                for s in tailCallers[r] where s != Int32(r) {
                    let before = frames[r].count
                    frames[r].formUnion(frames[Int(s)])
                    if frames[r].count != before { changed = true }
                }
            }
        }
        return frames.map { $0.sorted() }
    }
}
