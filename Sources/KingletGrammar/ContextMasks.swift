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
/// The context made of a position alone (`K` = 0, the *base*) is computed for every position when
/// the masker is built, by walking the whole trie. A deeper context only refines its top's base:
/// what the base accepts or rejects stays so (a path that stays above the base's frame is a path
/// of the context too), so its first use walks only the base's uncertain subtrees.
struct ContextMasks: Sendable {
    /// Tokens accepted by the top position's base (shared among its contexts).
    var accepted = TokenSet()
    /// Tokens the context accepts beyond ``accepted``.
    var extraAccepted = TokenSet()
    /// Roots of the uncertain subtrees, depth-first.
    var uncertainRoots: [Int32] = []

    var acceptedCount: Int { accepted.count + extraAccepted.count }

    /// Storage in 4-byte words (for memory bounds).
    var storageWords: Int { accepted.storageWords + extraAccepted.storageWords + uncertainRoots.count }

    /// The base of position `position` (a byte-set position): the whole trie walked from the
    /// position alone. `walk` and `arena` may be shared among bases (memoized transitions).
    static func base(position: Int32, walk: inout TrieWalk, arena: inout StackArena) -> ContextMasks {
        let top = arena.push(position, on: StackArena.escaped)
        var result = TrieWalk.Result()
        walk.run(from: [top], roots: [0], arena: &arena, into: &result)
        return ContextMasks(accepted: TokenSet(result.accepted, wordCount: walk.trie.maskWordCount),
                            uncertainRoots: result.uncertainRoots)
    }

    /// The masks of a context refining `base` (its top position's): `frames` are positions top
    /// first; `closed` says the stack ends there (the root rule's frame is included), so
    /// nothing escapes.
    static func refine(_ base: ContextMasks, program: GrammarProgram, trie: TokenTrie, frames: [Int32], closed: Bool) -> ContextMasks {
        guard !base.uncertainRoots.isEmpty, frames.count > 1 || closed else { return base }
        var arena = StackArena()
        var top = closed ? StackArena.accepted : StackArena.escaped
        for p in frames.reversed() { top = arena.push(p, on: top) }
        var walk = TrieWalk(program: program, trie: trie, limit: GrammarMatcher.defaultStackLimit)
        var result = TrieWalk.Result()
        walk.run(from: [top], roots: base.uncertainRoots, arena: &arena, into: &result)
        return ContextMasks(accepted: base.accepted, extraAccepted: TokenSet(result.accepted, wordCount: trie.maskWordCount), uncertainRoots: result.uncertainRoots)
    }
}
