import Foundation
import KingletRuntime

/// What a running generation reports to the request that started it.
enum GenerationUpdate: Sendable {
    /// Output text: one per sampled token (the text may be "" while bytes or a possible stop
    /// string are held back), plus one for released held-back text at the end (no logprob).
    case delta(text: String, logprob: TokenLogprob?)
    /// The end, with counts and the finish reason.
    case finished(GenerationSummary)
    /// The model failed mid-generation (a server fault, not the request's).
    case failed(String)
}

/// One generation asked of the scheduler: the prompt, its parameters, and the channel back.
///
/// The request handler reads `updates`; `cancel()` (client gone, handler done) frees the slot at
/// the scheduler's next step, or removes the job from the wait queue at once.
final class GenerationTicket: @unchecked Sendable {
    let prompt: [Int32]
    let parameters: GenerateParameters
    let logprobs: Int?
    /// Where the scheduler records each token's confidence when the request is routed (the
    /// router's task-local sink at creation).
    let confidence = ConfidenceSink.current
    /// When the request was queued (uptime nanoseconds): time to first token counts from here.
    let queuedAt = DispatchTime.now().uptimeNanoseconds
    /// When its last token was delivered (0: none yet). The scheduler thread's only.
    var lastTokenAt: UInt64 = 0
    let updates: AsyncStream<GenerationUpdate>
    let continuation: AsyncStream<GenerationUpdate>.Continuation
    private let lock = NSLock()
    private var cancelled = false
    private var onCancel: (@Sendable () -> Void)?

    init(prompt: [Int32], parameters: GenerateParameters, logprobs: Int?) {
        self.prompt = prompt
        self.parameters = parameters
        self.logprobs = logprobs
        let (stream, continuation) = AsyncStream.makeStream(of: GenerationUpdate.self)
        updates = stream
        self.continuation = continuation
        confidence?.attach { [weak self] in self?.cancel() }
    }

    var isCancelled: Bool { lock.withLock { cancelled } }

    /// Stops the generation (idempotent; harmless after it finished).
    func cancel() {
        let hook: (@Sendable () -> Void)? = lock.withLock {
            if cancelled { return nil }
            cancelled = true
            return onCancel
        }
        hook?()
    }

    /// Called once by the scheduler: how to wake it when this ticket is cancelled.
    func setCancelHook(_ hook: @escaping @Sendable () -> Void) {
        lock.withLock { onCancel = hook }
        continuation.onTermination = { [weak self] _ in self?.cancel() }
    }
}
