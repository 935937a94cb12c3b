import Foundation
import KingletGrammar

/// The token maskers of recent constraints, kept per model (``Engine/maskers``), so a grammar
/// asked for again (an app's one response schema, request after request) starts with every
/// context mask its earlier answers computed: its cold cost (a trie walk per new context,
/// milliseconds on a 262k vocabulary) is paid once, not per request. Keyed by
/// ``OutputConstraint/key`` (the grammar's source text); constraints without a key are not kept.
/// A masker is thread-safe, so concurrent sequences share one. At most `capacity` are kept, the
/// least recently used dropped first.
public final class MaskerCache: @unchecked Sendable {
    public let capacity: Int
    private let lock = NSLock()
    private var entries: [(key: String, masker: TokenMasker)] = []  // most recently used last

    public init(capacity: Int = 8) { self.capacity = max(1, capacity) }

    /// The masker for `constraint` over `trie`: the kept one for its key, or a new one (kept).
    public func masker(for constraint: OutputConstraint, trie: TokenTrie) -> TokenMasker {
        guard let key = constraint.key else { return TokenMasker(grammar: constraint.grammar, trie: trie) }
        return lock.withLock {
            if let i = entries.firstIndex(where: { $0.key == key }) {
                let e = entries.remove(at: i)
                entries.append(e)
                return e.masker
            }
            let m = TokenMasker(grammar: constraint.grammar, trie: trie)
            entries.append((key, m))
            if entries.count > capacity { entries.removeFirst() }
            return m
        }
    }

    /// How many maskers are kept.
    public var count: Int { lock.withLock { entries.count } }
}
