import KingletGGUF
import KingletKernels

/// Which positions of a batch need logits.
public enum LogitsSelection: Sendable, Equatable {
    /// Only the last token (generation).
    case last
    /// Every token (teacher-forced scoring, perplexity).
    case all
}

/// A hook that sees every named intermediate (`"attn_norm"`, layer 3, [T, D] values), so a
/// layer-by-layer diff against another engine is one flag away. Costs nothing when nil.
public typealias TraceHook = @Sendable (_ name: String, _ layer: Int, _ values: UnsafeBufferPointer<Float>) -> Void

/// A decoder-only language model: configuration, read-only weights and a forward pass.
///
/// Per-session state (the KV cache and scratch buffers) lives in `ModelState`, so one loaded
/// model can serve several sequences.
public protocol LanguageModel: AnyObject, Sendable {
    var config: ModelConfig { get }
    /// Human-readable facts about the weights (tensor types and counts).
    var weightSummary: String { get }

    /// Evaluates `tokens` at positions `state.cache.count ..< +tokens.count`, appends their keys
    /// and values to the cache and returns logits: [1, V] for `.last`, [T, V] for `.all`.
    func forward(_ tokens: [Int32], state: ModelState, logits: LogitsSelection) throws(ModelError) -> [Float]
}

/// The KV cache and scratch buffers of one sequence.
public final class ModelState: @unchecked Sendable {
    public let cache: KVCache
    public var trace: TraceHook?
    var scratch: [String: UnsafeMutablePointer<Float>] = [:]
    var scratchCapacity: [String: Int] = [:]

    public init(cache: KVCache) { self.cache = cache }

    deinit { for p in scratch.values { p.deallocate() } }

    /// A named scratch buffer of at least `count` floats, reused across calls.
    func buffer(_ name: String, _ count: Int) -> UnsafeMutablePointer<Float> {
        if let p = scratch[name], scratchCapacity[name]! >= count { return p }
        scratch[name]?.deallocate()
        let p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        scratch[name] = p
        scratchCapacity[name] = count
        return p
    }
}
