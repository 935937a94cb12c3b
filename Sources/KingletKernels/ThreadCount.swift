import Foundation

extension ThreadPool {
    /// The worker-thread counts a caller may ask for. (Each participant is a pthread created up
    /// front: a count from a flag or a file is checked before any is.)
    public static let threadRange: ClosedRange<Int> = 1 ... 512

    /// A pool of `threads` participants (nil: `physicalCoreCount()`), refusing a count outside
    /// `threadRange` instead of stopping the process (no threads) or exhausting it (a million).
    public static func sized(_ threads: Int?) throws(ThreadCountError) -> ThreadPool {
        guard let threads else { return ThreadPool(threads: physicalCoreCount()) }
        guard threadRange.contains(threads) else { throw ThreadCountError(requested: threads) }
        return ThreadPool(threads: threads)
    }
}

/// A worker-thread count outside `ThreadPool.threadRange`.
public struct ThreadCountError: Error, LocalizedError, Sendable, Equatable {
    public let requested: Int

    public init(requested: Int) { self.requested = requested }

    public var errorDescription: String? {
        let r = ThreadPool.threadRange
        return "\(requested) worker threads is out of range (\(r.lowerBound)…\(r.upperBound)). "
            + "Ask for at most this machine's \(ThreadPool.physicalCoreCount()) cores, or leave the count out to use them all."
    }
}
