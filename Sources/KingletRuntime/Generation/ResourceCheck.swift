import Foundation
import KingletArchitectures
import KingletKernels

/// Sizes a model file or a caller asks for, checked before anything is allocated: an absurd
/// context length (from a flag, or a hostile file's metadata used as the default) fails at load
/// with the bytes it would need, instead of overflowing or exhausting memory at the first request.
public enum ResourceCheck {
    public static let threadRange = ThreadPool.threadRange
    public static let sequenceRange: ClosedRange<Int> = 1 ... 4096

    /// The KV caches of `options.sequences` full-length sequences must fit in physical memory.
    public static func kvCache(_ config: ModelConfig, options: EngineOptions,
                               physicalMemory: UInt64 = ProcessInfo.processInfo.physicalMemory) throws(ResourceError) {
        let source: ResourceError.ContextSource = options.contextLength == nil
            ? .file(key: "\(config.architecture).context_length") : .requested
        let perSequence = KVCache.Layout(config).byteCount(precision: options.cachePrecision)
        let total = perSequence.flatMap { b -> Int? in
            let (t, overflow) = b.multipliedReportingOverflow(by: options.sequences)
            return overflow ? nil : t
        }
        guard let total, UInt64(total) <= physicalMemory else {
            throw .kvCacheTooLarge(context: config.contextLength, source: source, sequences: options.sequences,
                                   bytes: total, physicalMemory: physicalMemory)
        }
    }

    static func threads(_ threads: Int?) throws(ResourceError) {
        if let threads { try range("threads", threads, threadRange) }
    }

    static func range(_ what: String, _ value: Int, _ allowed: ClosedRange<Int>) throws(ResourceError) {
        guard allowed.contains(value) else { throw .outOfRange(what: what, value: value, allowed: allowed) }
    }
}

/// A size that cannot be honoured on this machine.
public enum ResourceError: Error, LocalizedError, Sendable, Equatable {
    /// Where a context length came from.
    public enum ContextSource: Sendable, Equatable {
        /// The model file's metadata (the default when none is requested).
        case file(key: String)
        /// The caller's `EngineOptions.contextLength`.
        case requested
    }

    /// `bytes` is nil when the size overflows 64 bits.
    case kvCacheTooLarge(context: Int, source: ContextSource, sequences: Int, bytes: Int?, physicalMemory: UInt64)
    case outOfRange(what: String, value: Int, allowed: ClosedRange<Int>)

    public var errorDescription: String? {
        switch self {
        case .kvCacheTooLarge(let context, let source, let sequences, let bytes, let memory):
            let origin: String
            switch source {
            case .file(let key): origin = "the model file's \(key) (used because no context length was given)"
            case .requested: origin = "the requested context length"
            }
            let need = bytes.map { Self.format(bytes: UInt64($0)) } ?? "more than 2^63 bytes"
            let who = sequences == 1 ? "one sequence" : "\(sequences) sequences"
            return "a context of \(context) tokens (\(origin)) needs a KV cache of \(need) for \(who), but this machine has \(Self.format(bytes: memory)) of memory. Use a smaller context length."
        case .outOfRange(let what, let value, let allowed):
            return "\(what) \(value) is out of range (\(allowed.lowerBound)…\(allowed.upperBound))."
        }
    }

    static func format(bytes: UInt64) -> String {
        let gib = Double(bytes) / Double(1 << 30)
        return gib >= 1 ? String(format: "%.1f GiB", gib) : String(format: "%.1f MiB", Double(bytes) / Double(1 << 20))
    }
}
