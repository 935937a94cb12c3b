/// Parse stacks as hash-consed linked lists: a stack is the id of its top node, a node is
/// (position, parent). Equal stacks get equal ids, so a set of stacks deduplicates by id, and
/// advancing one stack allocates at most a few nodes while sharing the rest.
///
/// Ids `>= 0` are nodes; ``StackArena/accepted`` is the empty stack (the root rule is complete);
/// ``StackArena/escaped`` marks a stack that popped past the bottom of an isolated context (used
/// when caching masks, see ``TokenMasker``).
struct StackArena: Sendable {
    static let accepted: Int32 = -1
    static let escaped: Int32 = -2

    private(set) var positions: [Int32] = []
    private(set) var parents: [Int32] = []
    private var index: [UInt64: Int32] = [:]

    var count: Int { positions.count }

    @inline(__always) func position(_ node: Int32) -> Int32 { positions[Int(node)] }
    @inline(__always) func parent(_ node: Int32) -> Int32 { parents[Int(node)] }

    /// The node for `position` on top of `parent`, shared if it exists.
    @inline(__always) mutating func push(_ position: Int32, on parent: Int32) -> Int32 {
        let key = UInt64(UInt32(bitPattern: position)) << 32 | UInt64(UInt32(bitPattern: parent))
        if let id = index[key] { return id }
        let id = Int32(positions.count)
        positions.append(position)
        parents.append(parent)
        index[key] = id
        return id
    }

    /// Forgets every node created after `mark` (a previous ``count``).
    mutating func rollback(to mark: Int) {
        guard mark < positions.count else { return }
        for i in mark ..< positions.count {
            index[UInt64(UInt32(bitPattern: positions[i])) << 32 | UInt64(UInt32(bitPattern: parents[i]))] = nil
        }
        positions.removeSubrange(mark...)
        parents.removeSubrange(mark...)
    }

    mutating func removeAll() {
        positions.removeAll(keepingCapacity: true)
        parents.removeAll(keepingCapacity: true)
        index.removeAll(keepingCapacity: true)
    }

    /// The positions of a stack, top first.
    func frames(_ stack: Int32) -> [Int32] {
        var out: [Int32] = []
        var s = stack
        while s >= 0 { out.append(positions[Int(s)]); s = parents[Int(s)] }
        return out
    }

    /// Copies `stack` from another arena into this one; returns its id here.
    mutating func importStack(_ stack: Int32, from other: StackArena) -> Int32 {
        guard stack >= 0 else { return stack }
        let frames = other.frames(stack)
        var s = StackArena.accepted
        for p in frames.reversed() { s = push(p, on: s) }
        return s
    }
}
