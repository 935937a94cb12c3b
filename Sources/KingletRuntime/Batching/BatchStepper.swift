import Foundation
import KingletArchitectures

/// Continuous batching, one step at a time: up to `width` sequences generate at once, and every
/// `step()` evaluates all of them in ONE `model.forward([SequenceInput])` — each decoding
/// sequence's next token, and the next prompt chunks of newcomers within a per-step prompt-token
/// budget — each sequence in its own slot's KV cache. A sequence that ends leaves its slot at
/// the end of the step, and the owner may admit the next job into it before the following step.
///
/// The stepper owns the slots and their `ModelState`s; the per-token logic (sampling, stop
/// strings, limits, logprobs) is `SequenceDecoder`'s, the same code `Engine.run` uses, so a job
/// gives the same tokens here as alone with the same seed. The owner keeps its own queue, threads
/// and reporting, and drives the stepper from one thread (the only user of the engine's model):
///
/// ```swift
/// let stepper = BatchStepper<Int>(engine: engine, width: 4)
/// while next < jobs.count || !stepper.isIdle {
///     while stepper.hasFreeSlot, next < jobs.count { try stepper.admit(next, prompt: jobs[next], parameters: p); next += 1 }
///     for u in stepper.step().updates { print(u.job, u.step.text) }
/// }
/// ```
///
/// Order and fairness: sequences are served in admission order. Every decoding sequence advances
/// one token every step; prompt chunks go to the earliest admitted newcomers until the step's
/// budget is spent (a chunk is taken whole, and the first always fits), so a long prompt delays
/// the next newcomer's prompt but never a decoding sequence.
public final class BatchStepper<Job> {
    /// One admitted sequence's progress, handed back for every sequence a step touched.
    public struct Update {
        /// The owner's job.
        public let job: Job
        /// The slot it runs in.
        public let slot: Int
        /// What the sequence produced this step (empty for a prompt chunk that was not the last).
        public let step: DecodeStep
        /// The logits row ([V]) that `step` was decided from; nil when the step is a cancellation.
        public let logits: [Float]?
        /// Counts and timings so far; final when `step.finished` is set (the slot is free again).
        public let summary: GenerationSummary
    }

    /// What one `step()` did.
    public struct StepReport {
        /// One per sequence cancelled or evaluated, in admission order (cancellations first).
        public var updates: [Update] = []
        /// Sequences and tokens in the forward pass (0 when nothing needed evaluating).
        public var sequences = 0
        public var tokens = 0
        /// Seconds the forward pass took.
        public var seconds = 0.0
        /// Set when the forward pass failed: its sequences ended (their slots are free, their
        /// caches emptied) and have no update.
        public var failure: Failure?
    }

    /// A failed forward pass and the jobs it ended.
    public struct Failure {
        public let error: ModelError
        public let jobs: [Job]
    }

    /// A slot: one prompt cache (made on first use), kept across the sequences that use it.
    private final class Slot {
        let index: Int
        var cache: PromptCache?
        var isBusy = false
        /// When the slot's last sequence ended (the stepper's retirement count; 0: never used).
        var lastUsed = 0
        init(index: Int) { self.index = index }
    }

    /// An admitted sequence.
    private final class Running {
        let job: Job
        let slot: Slot
        var decoder: SequenceDecoder
        init(job: Job, slot: Slot, decoder: SequenceDecoder) { self.job = job; self.slot = slot; self.decoder = decoder }
    }

    public let engine: Engine
    /// Sequences generating at once (the number of slots).
    public let width: Int
    /// Prompt tokens evaluated per step across all newcomers (bounds how long decoding sequences
    /// wait while a long prompt is read).
    public let promptTokensPerStep: Int
    private let placement: any SlotPlacementPolicy
    private let slots: [Slot]
    /// In admission order.
    private var running: [Running] = []
    /// Sequences retired so far (the clock of `Slot.lastUsed`).
    private var retired = 0

    public init(engine: Engine, width: Int, promptTokensPerStep: Int = 512,
                placement: any SlotPlacementPolicy = FirstFreeSlot()) {
        self.engine = engine
        self.width = max(1, width)
        self.promptTokensPerStep = max(1, promptTokensPerStep)
        self.placement = placement
        slots = (0 ..< self.width).map(Slot.init)
    }

    /// Sequences admitted and not yet finished.
    public var activeCount: Int { running.count }
    /// Whether `admit` may be called.
    public var hasFreeSlot: Bool { running.count < width }
    /// True when no sequence is active.
    public var isIdle: Bool { running.isEmpty }

    /// Starts a sequence in the slot the placement policy picks. Call only while `hasFreeSlot`.
    ///
    /// - Returns: the slot's index.
    /// - Throws: `SequenceDecoder`'s errors (empty prompt, prompt too long, a sampling setting out of
    ///   range); the slot stays free.
    @discardableResult
    public func admit(_ job: Job, prompt: [Int32], parameters: GenerateParameters,
                      logprobs: Int? = nil) throws(GenerationError) -> Int {
        let free = slots.filter { !$0.isBusy }
        precondition(!free.isEmpty, "admit with every slot busy (check hasFreeSlot)")
        let offered = free.map { FreeSlot(index: $0.index, cachedTokens: $0.cache?.tokens ?? [], lastUsed: $0.lastUsed) }
        let place = placement.place(prompt: prompt, among: offered)
        guard let slot = free.first(where: { $0.index == place.slot }) else {
            preconditionFailure("the placement chose slot \(place.slot), which is not free")
        }
        precondition(place.reuse >= 0 && place.reuse <= PromptCache.reusable(cached: slot.cache?.tokens ?? [], prompt: prompt),
                     "the placement reuses \(place.reuse) tokens that are not a cached prefix of the prompt")
        let cache = slot.cache ?? PromptCache(state: engine.makeState())
        slot.cache = cache
        // The decoder keeps the prefix (as much of it as the cache can: a sliding-window ring may
        // keep less) and sees the whole prompt, so its history and summary cover the prefix too.
        let decoder = try SequenceDecoder(prompt: prompt, parameters: parameters, cache: cache, reuseLimit: place.reuse,
                                          tokenizer: engine.tokenizer, logprobs: logprobs,
                                          vocabulary: parameters.constraint == nil ? nil : engine.tokenTrie, maskers: engine.maskers)
        slot.isBusy = true
        running.append(Running(job: job, slot: slot, decoder: decoder))
        return slot.index
    }

    /// One forward pass over every active sequence that has input within the budget; sequences
    /// for which `isCancelled` is true end first, without being evaluated. Finished sequences
    /// leave their slots before it returns.
    public func step(cancelling isCancelled: (Job) -> Bool = { _ in false }) -> StepReport {
        var report = StepReport()
        var inputs: [SequenceInput] = []
        var stepping: [Running] = []
        var budget = promptTokensPerStep
        for r in running {
            if isCancelled(r.job) { report.updates.append(update(r, r.decoder.cancel(), logits: nil)); continue }
            guard let tokens = r.decoder.pendingInput() else { continue }
            if r.decoder.isReadingPrompt {
                // The budget starts at 1 or more, so the first chunk always goes through.
                if budget <= 0 { continue }
                budget -= tokens.count
            }
            inputs.append(SequenceInput(tokens: tokens, state: r.decoder.state, logits: .last))
            stepping.append(r)
        }
        if !inputs.isEmpty { evaluate(inputs, stepping, into: &report) }
        retireFinished()
        return report
    }

    /// Slot `i`'s prompt cache (nil until first used), when its last sequence ended (the
    /// stepper's retirement count; it changes whenever the cache may have), and whether a
    /// sequence is using it now.
    public func slot(_ i: Int) -> (cache: PromptCache?, lastUsed: Int, isBusy: Bool) {
        (slots[i].cache, slots[i].lastUsed, slots[i].isBusy)
    }

    /// Gives free slot `i` a cache filled elsewhere (restored from disk): the next requests may
    /// reuse it. It counts as just used, so a prompt that shares nothing goes to an empty slot
    /// first.
    public func install(_ cache: PromptCache, slot i: Int) {
        precondition(!slots[i].isBusy, "install into slot \(i) while a sequence uses it")
        retired += 1
        slots[i].cache = cache
        slots[i].lastUsed = retired
    }

    /// Ends every active sequence (held-back text comes back as each update's `tail`).
    public func cancelAll() -> [Update] {
        let updates = running.map { update($0, $0.decoder.cancel(), logits: nil) }
        retireFinished()
        return updates
    }

    private func evaluate(_ inputs: [SequenceInput], _ stepping: [Running], into report: inout StepReport) {
        let t0 = DispatchTime.now().uptimeNanoseconds
        do {
            let logits = try engine.model.forward(inputs)
            report.seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            report.sequences = inputs.count
            report.tokens = inputs.reduce(0) { $0 + $1.tokens.count }
            for (i, r) in stepping.enumerated() {
                report.updates.append(update(r, r.decoder.accept(logits[i]), logits: logits[i]))
            }
        } catch {
            // What the pass left in the caches is unknown: empty them.
            for r in stepping {
                _ = r.decoder.cancel()
                r.decoder.cache.clear()
            }
            report.failure = Failure(error: error, jobs: stepping.map(\.job))
        }
    }

    private func update(_ r: Running, _ step: DecodeStep, logits: [Float]?) -> Update {
        Update(job: r.job, slot: r.slot.index, step: step, logits: logits, summary: r.decoder.summary)
    }

    private func retireFinished() {
        for r in running where r.decoder.isFinished {
            retired += 1
            r.slot.isBusy = false
            r.slot.lastUsed = retired
        }
        running.removeAll { $0.decoder.isFinished }
    }
}
