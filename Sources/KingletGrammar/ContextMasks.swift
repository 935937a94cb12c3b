/// What can be decided about every token from the top of one parse stack alone.
///
/// A stack's *context* is its top position plus up to `K` return positions below it. Walking the
/// token trie from that context in isolation sorts every token into:
/// - accepted: some path consumes all its bytes (popping below the context only after the last
///   byte, if at all), so it is allowed whatever lies deeper in the stack;
/// - rejected: every path dies without popping below the context;
/// - uncertain: some path pops below the context with bytes left; decided per step by walking
///   those tokens (``uncertainRoots``, subtrees of the trie) from the real stack.
/// When the whole stack fits in the context, nothing is uncertain.
///
/// The context made of a position alone (the *base*) walks the whole trie. A context one frame
/// deeper only refines its parent (``refine(_:frames:closed:walk:arena:)``): it walks the
/// parent's uncertain subtrees alone. The masker computes the bases and their one-frame-deeper
/// contexts when it is built, and the deeper ones on first use, each from its parent.
struct ContextMasks: Sendable {
    /// Tokens accepted by the top position's base (shared among its contexts).
    var accepted = TokenSet()
    /// Tokens the context accepts beyond ``accepted``: one set per refinement from the base
    /// down (shared with the ancestors that found them; the last is this context's own).
    var extraAccepted: [TokenSet] = []
    /// Roots of the uncertain subtrees, depth-first.
    var uncertainRoots: [Int32] = []


    /// Storage in 4-byte words (for memory bounds) of what this context alone holds: its own
    /// accepted tokens and uncertain roots (the rest is shared with its ancestors).
    var ownStorageWords: Int { (ownsLastExtra ? extraAccepted.last?.storageWords ?? 0 : 0) + uncertainRoots.count }
    /// Whether the last of ``extraAccepted`` was found by this context (not inherited).
    var ownsLastExtra = false

    /// Sets the bits of every accepted token in `mask`.
    @inline(__always)
    func insertAccepted(into mask: inout [UInt64]) {
        accepted.insert(into: &mask)
        for e in extraAccepted { e.insert(into: &mask) }
    }

    /// The base of position `position` (a byte-set position): the whole trie walked from the
    /// position alone. `walk` and `arena` may be shared among bases (memoized transitions).
    static func base(position: Int32, walk: inout TrieWalk, arena: inout StackArena) -> ContextMasks {
        let top = arena.push(position, on: StackArena.escaped)
        var result = TrieWalk.Result()
        walk.run(from: [top], roots: [0], arena: &arena, into: &result)
        return ContextMasks(accepted: TokenSet(result.accepted, wordCount: walk.trie.maskWordCount),
                            uncertainRoots: result.uncertainRoots)
    }

    /// The masks of a context one step deeper than `parent`'s (one more frame, or the same
    /// frames closed): `frames` are its positions top first; `closed` says the stack ends there
    /// (the root rule's frame is included), so nothing escapes. Walks only `parent`'s uncertain
    /// subtrees: a path that stays within the parent's frames is a path of this context too,
    /// so what the parent accepts or rejects stays so. `walk` and `arena` may be shared.
    static func refine(_ parent: ContextMasks, frames: [Int32], closed: Bool, walk: inout TrieWalk, arena: inout StackArena) -> ContextMasks {
        guard !parent.uncertainRoots.isEmpty else {
            var same = parent
            same.ownsLastExtra = false
            return same
        }
        var top = closed ? StackArena.accepted : StackArena.escaped
        for p in frames.reversed() { top = arena.push(p, on: top) }
        var result = TrieWalk.Result()
        walk.run(from: [top], roots: parent.uncertainRoots, arena: &arena, into: &result)
        var out = ContextMasks(accepted: parent.accepted, extraAccepted: parent.extraAccepted, uncertainRoots: result.uncertainRoots)
        if !result.accepted.isEmpty {
            // A few tokens are kept as their own list; many become one bitset with the
            // ancestors' (a mask then ORs at most two bitsets).
            let words = walk.trie.maskWordCount
            let own = TokenSet(result.accepted, wordCount: words)
            out.extraAccepted = own.isBitset ? [TokenSet.bitsetUnion(parent.extraAccepted + [own], wordCount: words)] : parent.extraAccepted + [own]
            out.ownsLastExtra = true
        }
        return out
    }
}
