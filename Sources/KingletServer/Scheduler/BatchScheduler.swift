import Foundation
import KingletRuntime

/// Continuous batching for the server: up to `parallel` requests generate at once through a
/// `BatchStepper` (one forward pass per step over every active sequence, each in its own slot's
/// KV cache). Requests beyond `parallel` wait in a bounded FIFO queue and join between steps.
///
/// One dedicated thread owns the stepper and so the model; request handlers only submit tickets
/// and read updates. This class is the server's part: the thread, the queue and its 429, tickets
/// cancelled while waiting, and metrics. The stepper's slots keep their prompt caches between
/// requests; `placement` (`LongestCachedPrefix` unless `--no-prompt-cache`) decides which slot a
/// request takes and how much of its cache it reuses.
final class BatchScheduler: @unchecked Sendable {
    let engine: Engine
    let parallel: Int
    let queueLimit: Int
    /// Prompt tokens evaluated per step across all newcomers (bounds the step time that decoding
    /// sequences wait while a long prompt is read).
    let promptTokensPerStep: Int
    private let metrics: ServerMetrics
    private let condition = NSCondition()
    private var waiting: [GenerationTicket] = []
    private var activeCount = 0
    /// Touched by the scheduler thread only.
    private let stepper: BatchStepper<GenerationTicket>
    private var stopping = false
    private var thread: Thread?
    /// Signalled when the thread has ended (its slots' caches saved).
    private let ended = DispatchSemaphore(value: 0)
    /// Touched by the scheduler thread only.
    private let store: SlotCacheStore?

    init(engine: Engine, parallel: Int, queueLimit: Int, metrics: ServerMetrics, promptTokensPerStep: Int = 512,
         placement: any SlotPlacementPolicy = LongestCachedPrefix(), store: SlotCacheStore? = nil) {
        self.engine = engine
        self.parallel = max(1, parallel)
        self.queueLimit = max(0, queueLimit)
        self.metrics = metrics
        self.promptTokensPerStep = max(1, promptTokensPerStep)
        self.store = store
        stepper = BatchStepper(engine: engine, width: self.parallel, promptTokensPerStep: self.promptTokensPerStep,
                               placement: placement)
    }

    /// Starts the scheduler thread.
    func start() {
        let t = Thread { [self] in loop() }
        t.name = "kinglet-scheduler"
        t.stackSize = 8 << 20
        t.qualityOfService = .userInitiated
        thread = t
        t.start()
    }

    /// Ends the thread after the current step; waiting and active requests are cancelled, and
    /// the slots' caches saved when there is a store. Waits (up to `timeout` seconds) for it.
    func stop(timeout: Double = 30) {
        let started: Bool = condition.withLock {
            let first = !stopping
            stopping = true
            condition.signal()
            return first && thread != nil
        }
        if started, Thread.current != thread { _ = ended.wait(timeout: .now() + timeout) }
    }

    /// Queues a generation. Throws 429 when all slots are busy and `queueLimit` requests wait.
    func submit(_ ticket: GenerationTicket) throws(APIError) {
        let accepted: Bool = condition.withLock {
            if stopping { return false }
            if activeCount + waiting.count >= parallel + queueLimit { return false }
            waiting.append(ticket)
            metrics.setQueue(waiting: waiting.count, active: activeCount)
            condition.signal()
            return true
        }
        guard accepted else {
            metrics.countRejected()
            throw .queueFull(waiting: queueLimit)
        }
        ticket.setCancelHook { [weak self, weak ticket] in
            guard let self, let ticket else { return }
            self.dropWaiting(ticket)
        }
    }

    /// A cancelled ticket still in the queue leaves it now (its slot is freed by the loop otherwise).
    private func dropWaiting(_ ticket: GenerationTicket) {
        let removed: Bool = condition.withLock {
            guard let i = waiting.firstIndex(where: { $0 === ticket }) else { condition.signal(); return false }
            waiting.remove(at: i)
            metrics.setQueue(waiting: waiting.count, active: activeCount)
            return true
        }
        if removed { finishCancelledBeforeStart(ticket) }
    }

    private func finishCancelledBeforeStart(_ ticket: GenerationTicket) {
        metrics.countFinished(.cancelled)
        ticket.continuation.yield(.finished(GenerationSummary(
            promptTokens: ticket.prompt.count, generatedTokens: 0, promptSeconds: 0, generateSeconds: 0,
            finishReason: .cancelled, seed: ticket.parameters.sampling.seed ?? 0)))
        ticket.continuation.finish()
    }

    // MARK: - The scheduler thread

    private func loop() {
        defer { ended.signal() }
        // Requests that arrive meanwhile wait in the queue.
        store?.restore(into: stepper)
        while true {
            // Admit newcomers between steps; sleep when there is nothing to do (after writing the
            // caches that changed, when there is a store: a restart then finds them).
            condition.lock()
            if let store, waiting.isEmpty && stepper.isIdle && !stopping {
                condition.unlock()
                store.saveChanged(from: stepper)
                condition.lock()
            }
            while waiting.isEmpty && stepper.isIdle && !stopping { condition.wait() }
            if stopping {
                let queued = waiting
                waiting.removeAll()
                condition.unlock()
                for t in queued { finishCancelledBeforeStart(t) }
                for u in stepper.cancelAll() { deliver(u) }
                store?.saveChanged(from: stepper)
                return
            }
            var admitted: [GenerationTicket] = []
            while stepper.activeCount + admitted.count < parallel, !waiting.isEmpty { admitted.append(waiting.removeFirst()) }
            activeCount = stepper.activeCount + admitted.count
            metrics.setQueue(waiting: waiting.count, active: activeCount)
            condition.unlock()
            for t in admitted { admit(t) }
            let report = stepper.step(cancelling: { $0.isCancelled })
            if report.sequences > 0 {
                metrics.countStep(sequences: report.sequences, tokens: report.tokens, seconds: report.seconds)
            }
            for u in report.updates { deliver(u) }
            if let failure = report.failure {
                for t in failure.jobs {
                    t.continuation.yield(.failed("the model failed: \(failure.error)"))
                    t.continuation.finish()
                }
            }
            // Finished, cancelled and failed sequences have left their slots.
            condition.withLock {
                guard activeCount != stepper.activeCount else { return }
                activeCount = stepper.activeCount
                metrics.setQueue(waiting: waiting.count, active: activeCount)
            }
        }
    }

    private func admit(_ ticket: GenerationTicket) {
        if ticket.isCancelled { finishCancelledBeforeStart(ticket); return }
        metrics.observeQueueTime(Double(DispatchTime.now().uptimeNanoseconds - ticket.queuedAt) / 1e9)
        do {
            try stepper.admit(ticket, prompt: ticket.prompt, parameters: ticket.parameters, logprobs: ticket.logprobs)
        } catch {
            ticket.continuation.yield(.failed(error.localizedDescription))
            ticket.continuation.finish()
        }
    }

    private func deliver(_ u: BatchStepper<GenerationTicket>.Update) {
        let c = u.job.continuation
        if let sink = u.job.confidence, let logits = u.logits, let token = u.step.token ?? u.step.endOfGeneration {
            sink.record(TokenConfidence(token: token, logits: logits))
        }
        let now = DispatchTime.now().uptimeNanoseconds
        if u.logits != nil && u.summary.generatedTokens == 1 {
            // The step that sampled the first token (the end-of-generation token included).
            metrics.observeTimeToFirstToken(Double(now - u.job.queuedAt) / 1e9)
        }
        if u.step.token != nil {
            if u.job.lastTokenAt > 0 { metrics.observeInterTokenLatency(Double(now - u.job.lastTokenAt) / 1e9) }
            u.job.lastTokenAt = now
            metrics.countGenerated(1)
            c.yield(.delta(text: u.step.text, logprob: u.step.logprob))
        }
        if !u.step.tail.isEmpty { c.yield(.delta(text: u.step.tail, logprob: nil)) }
        if let reason = u.step.finished {
            metrics.countFinished(reason, promptTokens: u.summary.promptTokens, cachedTokens: u.summary.cachedTokens)
            c.yield(.finished(u.summary))
            c.finish()
        }
    }
}
