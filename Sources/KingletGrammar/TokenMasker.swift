import Synchronization

/// A grammar paired with a vocabulary: computes per-step token masks, caching what each parse
/// context decides on its own (see ``contextFrames``). Create one per (grammar, model) and share it
/// among the sequences that use it (thread-safe); each sequence gets its own ``GrammarMatcher``.
///
/// ```swift
/// let trie = TokenTrie(vocabulary: pieces, endOfGeneration: [eos])
/// let masker = TokenMasker(grammar: .json, trie: trie)
/// let matcher = try GrammarMatcher(masker: masker)
/// var mask = [UInt64](repeating: 0, count: trie.maskWordCount)
/// matcher.mask(into: &mask)            // bit i set ⇔ token i allowed now
/// try matcher.accept(token: sampled)
/// ```
public final class TokenMasker: Sendable {
    /// The grammar.
    public let grammar: Grammar
    /// The vocabulary.
    public let trie: TokenTrie
    /// How many return positions below a stack's top are part of its cached context. Larger
    /// values leave fewer tokens to check per step but make more distinct contexts.
    public let contextFrames: Int
    /// Positions whose base masks were computed when the masker was built (see ``init``).
    public let precomputedPositions: Int

    /// Each byte-set position's base (see ``ContextMasks``), when precomputed.
    private let bases: [ContextMasks?]
    /// Bases computed on first use (positions past ``baseStorageLimit``, or all of them when not
    /// precomputed).
    private let lateBases = Mutex<[Int32: ContextMasks]>([:])
    private let cache = Mutex<[[Int32]: ContextMasks]>([:])

    /// Most contexts kept; past it the cache starts over (bounded memory on grammars with very
    /// many contexts: at most about this many × vocabulary/4 bytes). Bases computed on first use
    /// are bounded the same way.
    public static let maxCachedContexts = 4096

    /// Most memory, in 4-byte words, the bases precomputed at construction may take (256 MiB);
    /// the positions left over get theirs on first use.
    public static let baseStorageLimit = 64 << 20

    /// The default ``contextFrames``.
    public static let defaultContextFrames = 4

    /// Builds the masker. With `precompute` (the default), every byte-set position of the
    /// grammar gets its base masks now, by walking the whole trie from it: the cost moves from a
    /// context's first use (a whole-trie walk, 1–8 ms on a 49k–262k vocabulary) to
    /// construction (see the README for measured figures), so masks are fast from the first
    /// token. Without it, bases are computed on first use.
    public init(grammar: Grammar, trie: TokenTrie, contextFrames: Int = TokenMasker.defaultContextFrames, precompute: Bool = true) {
        self.grammar = grammar
        self.trie = trie
        self.contextFrames = max(0, contextFrames)
        let program = grammar.program
        var bases = [ContextMasks?](repeating: nil, count: precompute ? program.count : 0)
        var walk = TrieWalk(program: program, trie: trie, limit: GrammarMatcher.defaultStackLimit)
        var arena = StackArena()
        var words = 0, done = 0
        for p in bases.indices where program.kinds[p] == .bytes && words < Self.baseStorageLimit {
            let b = ContextMasks.base(position: Int32(p), walk: &walk, arena: &arena)
            bases[p] = b
            words += b.storageWords
            done += 1
            // Memoized states are shared among positions; bound them.
            if walk.states.count > 8192 || arena.count > 1 << 20 {
                walk.states.removeAll()
                arena.removeAll()
            }
        }
        self.bases = bases
        precomputedPositions = done
    }

    /// Number of contexts cached so far.
    public var cachedContexts: Int { cache.withLock { $0.count } }

    /// The cached masks for a stack's context, computed on first use from its top's base.
    func masks(for stack: Int32, in arena: StackArena) -> ContextMasks {
        var key: [Int32] = []
        var s = stack
        while s >= 0 && key.count <= contextFrames {
            key.append(arena.position(s))
            s = arena.parent(s)
        }
        let closed = s < 0
        if closed { key.append(StackArena.accepted) }
        if let hit = cache.withLock({ $0[key] }) { return hit }
        let frames = closed ? Array(key.dropLast()) : key
        let computed = ContextMasks.refine(base(of: key[0]), program: grammar.program, trie: trie, frames: frames, closed: closed)
        cache.withLock {
            if $0.count >= Self.maxCachedContexts { $0.removeAll() }
            $0[key] = computed
        }
        return computed
    }

    /// The base of byte-set position `p`: precomputed, or computed now and kept.
    func base(of p: Int32) -> ContextMasks {
        if Int(p) < bases.count, let b = bases[Int(p)] { return b }
        if let hit = lateBases.withLock({ $0[p] }) { return hit }
        var walk = TrieWalk(program: grammar.program, trie: trie, limit: GrammarMatcher.defaultStackLimit)
        var arena = StackArena()
        let b = ContextMasks.base(position: p, walk: &walk, arena: &arena)
        lateBases.withLock {
            if $0.count >= Self.maxCachedContexts { $0.removeAll() }
            $0[p] = b
        }
        return b
    }
}

extension GrammarMatcher {
    /// Sets bit `i` of `bits` (resized to the vocabulary's ``TokenTrie/maskWordCount`` words)
    /// exactly when token `i` may come next: its bytes continue the grammar (tokens may straddle
    /// rule boundaries and end inside a UTF-8 character), or it ends generation and the grammar
    /// accepts here. Special tokens are never set. After end-of-generation no bit is set.
    ///
    /// Requires a matcher made with ``init(masker:stackLimit:)``.
    public func mask(into bits: inout [UInt64]) {
        guard let masker else { preconditionFailure("GrammarMatcher.mask(into:) needs a matcher made with init(masker:)") }
        let trie = masker.trie
        let words = trie.maskWordCount
        if bits.count != words { bits = Array(repeating: 0, count: words) } else {
            for i in 0 ..< words { bits[i] = 0 }
        }
        guard !isTerminated else { return }
        for s in stacks {
            if s < 0 {
                for t in trie.endOfGeneration where Int(t) < trie.vocabularySize { bits[Int(t) >> 6] |= 1 << UInt64(t & 63) }
                continue
            }
            let m = masker.masks(for: s, in: arena)
            m.accepted.insert(into: &bits)
            m.extraAccepted.insert(into: &bits)
            if !m.uncertainRoots.isEmpty { walkUncertain(m, from: s, trie: trie, bits: &bits) }
        }
    }

    /// Walks a context's uncertain subtrees from the real stack `s` (nothing escapes it).
    private func walkUncertain(_ m: ContextMasks, from s: Int32, trie: TokenTrie, bits: inout [UInt64]) {
        let mark = arena.count
        defer { arena.rollback(to: mark) }
        var walk = maskWalk ?? TrieWalk(program: grammar.program, trie: trie, limit: stackLimit)
        walk.states.removeAll()
        var result = TrieWalk.Result()
        walk.run(from: [s], roots: m.uncertainRoots, arena: &arena, into: &result)
        bits.setBits(result.accepted)
        maskWalk = walk
    }
}
