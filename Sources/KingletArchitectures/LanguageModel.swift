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

    /// Evaluates several sequences in one pass: every sequence's new tokens go through the
    /// matrix products together (continuous batching); attention stays within each sequence's
    /// own cache. Returns each sequence's logits: [1, V] for `.last`, [T, V] for `.all`.
    /// Calls on one model run one at a time.
    func forward(_ batch: [SequenceInput]) throws(ModelError) -> [[Float]]
}

extension LanguageModel {
    /// Evaluates `tokens` at positions `state.cache.count ..< +tokens.count`, appends their keys
    /// and values to the cache and returns logits: [1, V] for `.last`, [T, V] for `.all`.
    public func forward(_ tokens: [Int32], state: ModelState, logits: LogitsSelection) throws(ModelError) -> [Float] {
        try forward([SequenceInput(tokens: tokens, state: state, logits: logits)])[0]
    }
}

/// One sequence's part of a batched forward pass.
public struct SequenceInput: @unchecked Sendable {
    public var tokens: [Int32]
    public var state: ModelState
    public var logits: LogitsSelection

    public init(tokens: [Int32], state: ModelState, logits: LogitsSelection) {
        self.tokens = tokens
        self.state = state
        self.logits = logits
    }
}

/// The KV cache of one sequence, and an optional trace hook.
public final class ModelState: @unchecked Sendable {
    public let cache: KVCache
    public var trace: TraceHook?

    public init(cache: KVCache) { self.cache = cache }
}

/// Named activation buffers reused across forward passes (grown on demand), on pages of their own
/// (`PageMemory`): megabytes for a prompt batch, which the C heap could serve from whichever
/// thread's arena the first pass ran on and keep there, resident, after they grow.
final class ScratchBuffers {
    private var buffers: [String: (memory: PageMemory, capacity: Int)] = [:]

    /// A buffer of at least `count` floats.
    func callAsFunction(_ name: String, _ count: Int) -> UnsafeMutablePointer<Float> {
        if let b = buffers[name], b.capacity >= count { return b.memory.typed(Float.self) }
        let memory = PageMemory(byteCount: count * MemoryLayout<Float>.stride)
        buffers[name] = (memory, count)
        return memory.typed(Float.self)
    }
}
