/// The state of one constrained sequence: which prefixes of the grammar's sentences the bytes so
/// far are, as a set of pushdown stacks advanced byte by byte over UTF-8.
///
/// A reference type (it owns a growing stack arena); use ``copy()`` for an independent
/// duplicate. Not thread-safe: one matcher per sequence.
public final class GrammarMatcher {
    /// The grammar matched.
    public let grammar: Grammar
    /// The vocabulary and mask cache, when made with ``init(masker:)``.
    public let masker: TokenMasker?
    /// Most simultaneous stacks before matching fails with ``GrammarError/tooManyStates(limit:)``.
    public let stackLimit: Int

    var arena = StackArena()
    var stacks: [Int32]
    private var scratch: [Int32] = []
    /// The walker of mask steps, kept for its buffers.
    var maskWalk: TrieWalk?
    private var ended = false

    /// The default ``stackLimit``.
    public static let defaultStackLimit = 1024

    /// A matcher at the start of `grammar`'s root rule.
    public init(grammar: Grammar, stackLimit: Int = GrammarMatcher.defaultStackLimit) throws(GrammarError) {
        self.grammar = grammar
        self.masker = nil
        self.stackLimit = stackLimit
        guard let s = grammar.program.initialStacks(arena: &arena, limit: stackLimit) else {
            throw GrammarError.tooManyStates(limit: stackLimit)
        }
        stacks = s
    }

    /// A matcher for `masker`'s grammar that can compute token masks over its vocabulary.
    public init(masker: TokenMasker, stackLimit: Int = GrammarMatcher.defaultStackLimit) throws(GrammarError) {
        self.grammar = masker.grammar
        self.masker = masker
        self.stackLimit = stackLimit
        guard let s = grammar.program.initialStacks(arena: &arena, limit: stackLimit) else {
            throw GrammarError.tooManyStates(limit: stackLimit)
        }
        stacks = s
    }

    private init(copying other: GrammarMatcher) {
        grammar = other.grammar
        masker = other.masker
        stackLimit = other.stackLimit
        ended = other.ended
        stacks = []
        for s in other.stacks { stacks.append(arena.importStack(s, from: other.arena)) }
        GrammarProgram.sortUnique(&stacks)
    }

    /// An independent matcher in the same state (its arena holds only the live stacks).
    public func copy() -> GrammarMatcher { GrammarMatcher(copying: self) }

    /// Whether the bytes so far are a complete sentence of the grammar.
    public var isAccepting: Bool { !ended && stacks.first == StackArena.accepted }

    /// Whether end-of-generation may come now: the same as ``isAccepting``.
    public var canEnd: Bool { isAccepting }

    /// Whether some byte can still follow.
    public var canContinue: Bool { !ended && stacks.contains { $0 >= 0 } }

    /// The bytes that may come next, ascending (empty when nothing can follow).
    public var allowedBytes: [UInt8] {
        guard !ended else { return [] }
        var set = ByteSet()
        for s in stacks where s >= 0 { set.formUnion(grammar.program.byteSets[Int(arena.position(s))]) }
        return (0 ... 255).map(UInt8.init).filter { set.contains($0) }
    }

    /// Whether end-of-generation was accepted: no more input is possible.
    public var isTerminated: Bool { ended }

    /// Feeds one byte. On a throw the state is unchanged.
    ///
    /// - Throws: ``GrammarError/rejected(offset:)`` (offset 0) when the grammar does not allow it,
    ///   ``GrammarError/tooManyStates(limit:)`` when the grammar is too ambiguous.
    public func accept(byte: UInt8) throws(GrammarError) {
        try accept(bytes: CollectionOfOne(byte))
    }

    /// Feeds bytes, all or nothing: on a throw the state is unchanged.
    public func accept(bytes: some Sequence<UInt8>) throws(GrammarError) {
        let mark = arena.count
        var current = stacks
        var offset = 0
        for b in bytes {
            guard !ended, grammar.program.advance(current, byte: b, arena: &arena, into: &scratch, limit: stackLimit) else {
                arena.rollback(to: mark)
                throw ended ? GrammarError.rejected(offset: offset) : GrammarError.tooManyStates(limit: stackLimit)
            }
            guard !scratch.isEmpty else {
                arena.rollback(to: mark)
                throw GrammarError.rejected(offset: offset)
            }
            swap(&current, &scratch)
            offset += 1
        }
        stacks = current
        compactIfLarge()
    }

    /// Whether `bytes` could be fed now (the state is not changed).
    public func canAccept(bytes: some Sequence<UInt8>) -> Bool {
        let mark = arena.count
        defer { arena.rollback(to: mark) }
        var current = stacks
        for b in bytes {
            guard !ended, grammar.program.advance(current, byte: b, arena: &arena, into: &scratch, limit: stackLimit),
                  !scratch.isEmpty else { return false }
            swap(&current, &scratch)
        }
        return true
    }

    /// Feeds one token of the masker's vocabulary: its bytes, or end-of-generation (allowed only
    /// where the grammar accepts; afterwards nothing more is).
    ///
    /// - Throws: ``GrammarError/invalidToken(_:)`` for an unknown id or a special token,
    ///   ``GrammarError/rejected(offset:)`` when the grammar does not allow it here.
    public func accept(token: Int32) throws(GrammarError) {
        guard let trie = masker?.trie, token >= 0, Int(token) < trie.vocabularySize else {
            throw GrammarError.invalidToken(token)
        }
        if trie.endOfGeneration.contains(token) {
            guard isAccepting else { throw GrammarError.rejected(offset: 0) }
            ended = true
            return
        }
        guard !trie.special.contains(token), !trie.bytes(of: token).isEmpty else { throw GrammarError.invalidToken(token) }
        try accept(bytes: trie.bytes(of: token))
    }

    /// Back to the start of the grammar.
    public func reset() {
        arena.removeAll()
        ended = false
        stacks = grammar.program.initialStacks(arena: &arena, limit: Int.max) ?? []
    }

    /// Rebuilds the arena with only the live stacks once dead nodes dominate it.
    private func compactIfLarge() {
        guard arena.count > 1 << 16 else { return }
        var fresh = StackArena()
        var kept: [Int32] = []
        for s in stacks { kept.append(fresh.importStack(s, from: arena)) }
        GrammarProgram.sortUnique(&kept)
        arena = fresh
        stacks = kept
    }
}
