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

    private let cache = Mutex<[[Int32]: ContextMasks]>([:])

    /// Most contexts kept; past it the cache starts over (bounded memory on grammars with very
    /// many contexts: at most about this many × vocabulary/8 bytes).
    public static let maxCachedContexts = 4096

    /// The default ``contextFrames``.
    public static let defaultContextFrames = 4

    public init(grammar: Grammar, trie: TokenTrie, contextFrames: Int = TokenMasker.defaultContextFrames) {
        self.grammar = grammar
        self.trie = trie
        self.contextFrames = max(0, contextFrames)
    }

    /// Number of contexts cached so far.
    public var cachedContexts: Int { cache.withLock { $0.count } }

    /// The cached masks for a stack's context, computed on first use.
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
        let computed = ContextMasks.compute(program: grammar.program, trie: trie, frames: frames, closed: closed)
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
            if let a = m.acceptedBits {
                for i in 0 ..< words { bits[i] |= a[i] }
            } else {
                for t in m.acceptedList { bits[Int(t) >> 6] |= 1 << UInt64(t & 63) }
            }
            if !m.uncertainNodes.isEmpty { walkUncertain(m, from: s, trie: trie, bits: &bits) }
        }
    }

    /// Walks a context's uncertain sub-trie from the real stack `s`.
    private func walkUncertain(_ m: ContextMasks, from s: Int32, trie: TokenTrie, bits: inout [UInt64]) {
        let mark = arena.count
        defer { arena.rollback(to: mark) }
        var sets = maskScratch
        defer { maskScratch = sets }
        if sets.count <= trie.maxTokenLength { sets = Array(repeating: [], count: trie.maxTokenLength + 1) }
        sets[0] = [s]
        var j = 0
        let n = m.uncertainNodes.count
        while j < n {
            let node = Int(m.uncertainNodes[j])
            let d = Int(trie.nodeDepth[node])
            guard grammar.program.advance(sets[d - 1], byte: trie.nodeByte[node], arena: &arena, into: &sets[d], limit: stackLimit),
                  !sets[d].isEmpty
            else {
                j = Int(m.uncertainSkip[j])
                continue
            }
            if m.uncertainOwn[j] {
                for t in trie.tokenStart[node] ..< trie.tokenStart[node + 1] {
                    let id = trie.tokens[Int(t)]
                    bits[Int(id) >> 6] |= 1 << UInt64(id & 63)
                }
            }
            j += 1
        }
    }
}
