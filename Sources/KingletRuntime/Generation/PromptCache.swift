import KingletArchitectures

/// A sequence's KV cache and the tokens it holds, kept from one generation to the next so a new
/// prompt evaluates only what follows the prefix it shares with what was evaluated before (a
/// chat's earlier turns, a server slot's last request).
///
/// `tokens` is exactly what `state.cache` holds, position for position: `SequenceDecoder` appends
/// every input it accepts logits for (so a generation cancelled mid-prompt leaves its chunks
/// recorded), and whoever sees a forward pass fail calls `clear()`. The last sampled token is
/// never in it (it was never evaluated).
///
/// One prefix rule for every caller (`Engine.run`, `ChatSession`, `BatchStepper` and its
/// `LongestCachedPrefix` placement): `reusable(cached:prompt:)`.
public final class PromptCache: @unchecked Sendable {
    /// The KV cache (and scratch state) the tokens live in.
    public let state: ModelState
    /// The tokens whose keys and values `state.cache` holds, in position order.
    public private(set) var tokens: [Int32] = []

    /// A cache over `state`, which must be empty (a fresh `engine.makeState()`).
    public init(state: ModelState) {
        precondition(state.cache.count == 0, "a PromptCache starts from an empty KV cache")
        self.state = state
    }

    /// How many leading tokens of `prompt` a cache holding `cached` can provide: their common
    /// prefix, less than `prompt.count` (the last prompt token is always evaluated, for its logits).
    public static func reusable(cached: some Collection<Int32>, prompt: [Int32]) -> Int {
        let common = zip(cached, prompt).prefix { $0 == $1 }.count
        return max(0, min(common, prompt.count - 1))
    }

    /// Keeps `prompt`'s reusable prefix (at most `limit` tokens) and forgets the rest.
    ///
    /// - Returns: the tokens kept, which the caller must not evaluate again. A sliding-window
    ///   layer's ring may not reach back that far: then fewer are kept (0, when the rewind goes
    ///   past the ring), and the rest is evaluated again.
    @discardableResult
    public func prepare(for prompt: [Int32], limit: Int = .max) -> Int {
        rewind(to: min(limit, Self.reusable(cached: tokens, prompt: prompt)))
    }

    /// Keeps the first `n` positions (as many as the cache can, see `prepare`) and returns how
    /// many it kept.
    @discardableResult
    public func rewind(to n: Int) -> Int {
        let kept = state.cache.truncate(to: min(max(0, n), tokens.count))
        tokens.removeSubrange(kept...)
        return kept
    }

    /// Forgets everything (after a failed forward pass, which leaves the cache's contents unknown).
    public func clear() { rewind(to: 0) }

    /// After `PromptCacheFile.restore` wrote the cache: it holds `tokens`.
    func restored(_ tokens: [Int32]) {
        precondition(tokens.count == state.cache.count, "restored \(tokens.count) tokens into a cache of \(state.cache.count) positions")
        self.tokens = tokens
    }

    /// Records `evaluated`, just stored in the cache by a forward pass.
    func append(_ evaluated: [Int32]) {
        tokens += evaluated
        assert(tokens.count == state.cache.count, "the recorded tokens (\(tokens.count)) must be what the cache holds (\(state.cache.count))")
    }
}
