import Foundation
import KingletArchitectures
import KingletRuntime

/// Continuous batching: up to `parallel` sequences generate at once, and every step evaluates all
/// of them in ONE `model.forward([SequenceInput])` — each active sequence's next token, or the
/// next chunk of a newcomer's prompt — with each sequence in its own KV cache (`ModelState`).
/// Requests beyond `parallel` wait in a bounded FIFO queue and join between steps.
///
/// One dedicated thread owns the model; request handlers only submit tickets and read updates.
/// The per-token logic (sampling, stop strings, limits, logprobs) is `SequenceDecoder`'s, the
/// same code `Engine.run` uses.
final class BatchScheduler: @unchecked Sendable {
    /// One active sequence.
    private final class Slot {
        let ticket: GenerationTicket
        var decoder: SequenceDecoder
        init(ticket: GenerationTicket, decoder: SequenceDecoder) { self.ticket = ticket; self.decoder = decoder }
    }

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
    private var freeStates: [ModelState] = []
    private var stopping = false
    private var thread: Thread?

    init(engine: Engine, parallel: Int, queueLimit: Int, metrics: ServerMetrics, promptTokensPerStep: Int = 512) {
        self.engine = engine
        self.parallel = max(1, parallel)
        self.queueLimit = max(0, queueLimit)
        self.metrics = metrics
        self.promptTokensPerStep = max(1, promptTokensPerStep)
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

    /// Ends the thread after the current step; waiting and active requests are cancelled.
    func stop() {
        condition.withLock { stopping = true; condition.signal() }
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
        var active: [Slot] = []
        while true {
            // Admit newcomers between steps; sleep when there is nothing to do.
            condition.lock()
            while waiting.isEmpty && active.isEmpty && !stopping { condition.wait() }
            if stopping {
                let queued = waiting
                waiting.removeAll()
                condition.unlock()
                for t in queued { finishCancelledBeforeStart(t) }
                for s in active { deliver(s, s.decoder.cancel()) }
                return
            }
            var admitted: [GenerationTicket] = []
            while active.count + admitted.count < parallel, !waiting.isEmpty { admitted.append(waiting.removeFirst()) }
            activeCount = active.count + admitted.count
            metrics.setQueue(waiting: waiting.count, active: activeCount)
            condition.unlock()
            for t in admitted {
                if let slot = makeSlot(t) { active.append(slot) }
            }
            step(active)
            // Free finished slots (their caches go back to the pool).
            let done = active.filter { $0.decoder.isFinished }
            if !done.isEmpty {
                active.removeAll { $0.decoder.isFinished }
                condition.withLock {
                    for s in done { freeStates.append(s.decoder.state) }
                    activeCount = active.count
                    metrics.setQueue(waiting: waiting.count, active: activeCount)
                }
            }
        }
    }

    private func makeSlot(_ ticket: GenerationTicket) -> Slot? {
        if ticket.isCancelled { finishCancelledBeforeStart(ticket); return nil }
        let state = condition.withLock { freeStates.popLast() } ?? engine.makeState()
        state.cache.truncate(to: 0)
        do {
            let d = try SequenceDecoder(prompt: ticket.prompt, parameters: ticket.parameters, state: state,
                                        tokenizer: engine.tokenizer, logprobs: ticket.logprobs)
            return Slot(ticket: ticket, decoder: d)
        } catch {
            condition.withLock { freeStates.append(state) }
            ticket.continuation.yield(.failed(error.localizedDescription))
            ticket.continuation.finish()
            return nil
        }
    }

    /// One forward pass over every active sequence that has input this step.
    private func step(_ active: [Slot]) {
        var inputs: [SequenceInput] = []
        var stepping: [Slot] = []
        var promptBudget = promptTokensPerStep
        for s in active where !s.decoder.isFinished {
            if s.ticket.isCancelled { deliver(s, s.decoder.cancel()); continue }
            guard let tokens = s.decoder.pendingInput() else { continue }
            if s.decoder.isReadingPrompt {
                // Always let one prompt chunk through so a long prompt cannot starve.
                if promptBudget <= 0 && !inputs.isEmpty { continue }
                promptBudget -= tokens.count
            }
            inputs.append(SequenceInput(tokens: tokens, state: s.decoder.state, logits: .last))
            stepping.append(s)
        }
        guard !inputs.isEmpty else { return }
        let t0 = DispatchTime.now().uptimeNanoseconds
        do {
            let logits = try engine.model.forward(inputs)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            metrics.countStep(sequences: inputs.count, tokens: inputs.reduce(0) { $0 + $1.tokens.count }, seconds: seconds)
            for (s, l) in zip(stepping, logits) { deliver(s, s.decoder.accept(l)) }
        } catch {
            for s in stepping {
                _ = s.decoder.cancel()
                s.ticket.continuation.yield(.failed("the model failed: \(error)"))
                s.ticket.continuation.finish()
            }
        }
    }

    private func deliver(_ s: Slot, _ step: DecodeStep) {
        let c = s.ticket.continuation
        if step.token != nil {
            metrics.countGenerated(1)
            c.yield(.delta(text: step.text, logprob: step.logprob))
        }
        if !step.tail.isEmpty { c.yield(.delta(text: step.tail, logprob: nil)) }
        if let reason = step.finished {
            metrics.countFinished(reason, promptTokens: s.decoder.summary.promptTokens)
            c.yield(.finished(s.decoder.summary))
            c.finish()
        }
    }
}
