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
    /// Contexts computed when the masker was built (see ``init(grammar:trie:contextFrames:precompute:)``).
    public let precomputedContexts: Int
    /// Memory their masks take, in bytes.
    public let precomputedBytes: Int

    /// Contexts computed at construction: every byte-set position alone (its base), and with
    /// each return position the grammar can put below it. Keyed like ``cache``.
    private let precomputed: [[Int32]: ContextMasks]
    /// Contexts computed on first use, keyed by their positions top first, then
    /// ``StackArena/accepted`` when the stack ends there.
    private let cache = Mutex<[[Int32]: ContextMasks]>([:])

    /// Most contexts kept; past it the cache starts over (bounded memory on grammars with very
    /// many contexts: each holds what it found beyond its parent, at most one vocabulary bitset
    /// (vocabulary/8 bytes) or a shorter list, and its uncertain subtrees' roots).
    public static let maxCachedContexts = 4096

    /// Most memory, in 4-byte words, the contexts precomputed at construction may take
    /// (256 MiB); the contexts left over are computed on first use.
    public static let precomputeStorageLimit = 64 << 20

    /// Most trie nodes, in whole tries, that precomputing the contexts of a position over a
    /// frame may visit (bounds construction time; those left out are computed on first use).
    public static let precomputePairVisits = 512

    /// The default ``contextFrames``.
    public static let defaultContextFrames = 4

    /// Builds the masker. With `precompute` (the default) it computes now, for every byte-set
    /// position of the grammar, the masks of the position alone (walking the whole trie) and of
    /// the position over each return position the grammar can put below it (walking what the
    /// former leaves uncertain): deeper contexts then only refine these on first use, so masks
    /// are fast from the first token. The cost moves to construction (the README has measured
    /// figures: milliseconds to hundreds of milliseconds, by grammar and vocabulary); reuse
    /// maskers. Without `precompute`, every context is computed on first use.
    public init(grammar: Grammar, trie: TokenTrie, contextFrames: Int = TokenMasker.defaultContextFrames, precompute: Bool = true) {
        self.grammar = grammar
        self.trie = trie
        self.contextFrames = max(0, contextFrames)
        var table: [[Int32]: ContextMasks] = [:]
        let words = precompute ? Self.precompute(grammar.program, trie: trie, pairs: contextFrames > 0, into: &table) : 0
        precomputed = table
        precomputedBytes = words * 4
        precomputedContexts = table.count
    }

    /// Fills `table` with every position's base, then (with `pairs`) every position over each
    /// of its possible return positions, within ``precomputeStorageLimit`` and
    /// ``precomputePairVisits``.
    /// Returns the storage taken, in 4-byte words.
    private static func precompute(_ program: GrammarProgram, trie: TokenTrie, pairs: Bool, into table: inout [[Int32]: ContextMasks]) -> Int {
        var walk = TrieWalk(program: program, trie: trie, limit: GrammarMatcher.defaultStackLimit)
        var arena = StackArena()
        var words = 0
        func keep(_ key: [Int32], _ c: ContextMasks) {
            table[key] = c
            words += c.ownStorageWords + (key.count == 1 ? c.accepted.storageWords : 0)
            // Memoized states are shared among walks; bound them.
            if walk.states.count > 8192 || arena.count > 1 << 20 {
                walk.states.removeAll()
                arena.removeAll()
            }
        }
        let positions = (0 ..< program.count).filter { program.kinds[$0] == .bytes }.map(Int32.init)
        for p in positions where words < precomputeStorageLimit {
            keep([p], ContextMasks.base(position: p, walk: &walk, arena: &arena))
        }
        guard pairs else { return words }
        let rule = program.ruleOfPosition()
        let frames = program.returnFrames(ruleOf: rule)
        // Positions with few possible frames below first: a rule called from many places (a
        // shared character class) is where a budget cut costs least per context left out.
        let budget = walk.visited + precomputePairVisits * trie.nodeCount
        for p in positions.sorted(by: { frames[Int(rule[Int($0)])].count < frames[Int(rule[Int($1)])].count }) {
            guard let base = table[[p]], !base.uncertainRoots.isEmpty else { continue }
            for f in frames[Int(rule[Int(p)])] where words < precomputeStorageLimit && walk.visited < budget {
                keep([p, f], ContextMasks.refine(base, frames: [p, f], closed: false, walk: &walk, arena: &arena))
            }
        }
        return words
    }

    /// Number of contexts computed on first use and cached so far.
    public var cachedContexts: Int { cache.withLock { $0.count } }

    /// The masks for a stack's context.
    func masks(for stack: Int32, in arena: StackArena) -> ContextMasks {
        var key: [Int32] = []
        var s = stack
        while s >= 0 && key.count <= contextFrames {
            key.append(arena.position(s))
            s = arena.parent(s)
        }
        if s < 0 { key.append(StackArena.accepted) }
        return context(key)
    }

    /// The masks of context `key`: precomputed, cached, or refined now from its parent (one frame
    /// fewer, or the same frames not closed) and cached.
    func context(_ key: [Int32]) -> ContextMasks {
        if let c = precomputed[key] { return c }
        if let hit = cache.withLock({ $0[key] }) { return hit }
        let closed = key.last == StackArena.accepted
        let frames = closed ? Array(key.dropLast()) : key
        var walk = TrieWalk(program: grammar.program, trie: trie, limit: GrammarMatcher.defaultStackLimit)
        var arena = StackArena()
        let computed: ContextMasks
        if !closed && frames.count == 1 {
            computed = ContextMasks.base(position: frames[0], walk: &walk, arena: &arena)
        } else {
            let parent = context(closed ? frames : Array(frames.dropLast()))
            computed = ContextMasks.refine(parent, frames: frames, closed: closed, walk: &walk, arena: &arena)
        }
        cache.withLock {
            if $0.count >= Self.maxCachedContexts { $0.removeAll() }
            $0[key] = computed
        }
        return computed
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
            m.insertAccepted(into: &bits)
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
