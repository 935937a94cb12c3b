import Foundation

/// A synchronous job run on a thread of its own, its events streamed: the one way the runtime
/// turns a blocking loop (generation, a chat turn, perplexity) into an `AsyncThrowingStream`.
enum BackgroundStream {
    /// Starts `body` on a new thread (8 MiB stack, as the forward pass wants) and streams what it
    /// emits; the stream finishes when the body returns, or with the error it throws. When the
    /// consumer stops iterating (or its task is cancelled) `flag` is set, which the body reads
    /// through `isCancelled`.
    static func make<Event: Sendable>(
        flag: CancellationFlag = CancellationFlag(),
        _ body: @escaping @Sendable (_ isCancelled: @escaping @Sendable () -> Bool, _ emit: (Event) -> Void) throws -> Void
    ) -> AsyncThrowingStream<Event, Error> {
        AsyncThrowingStream { continuation in
            continuation.onTermination = { _ in flag.set() }
            let thread = Thread {
                do {
                    try body({ flag.isSet }) { continuation.yield($0) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}

/// A thread-safe one-way flag.
final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}
