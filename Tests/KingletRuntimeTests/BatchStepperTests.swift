import Foundation
import KingletRuntime
import KingletTestSupport
import Testing

/// `BatchStepper`, the one continuous-batching loop (the server's scheduler and the distillation
/// teacher both drive it), on the tiny synthetic model: admission order, the prompt budget,
/// cancellation, retirement, slot placement, and the same tokens as `Engine.run` alone.
@Suite struct BatchStepperTests {
    /// A prompt of `n` tokens from the ten text tokens (no end-of-generation token in it).
    static func prompt(_ n: Int, from start: Int = 0) -> [Int32] { (0 ..< n).map { Int32((start + $0 * 3) % 10) } }

    static func greedy(maxTokens: Int, chunk: Int, ignoreEnd: Bool = true) -> GenerateParameters {
        var p = GenerateParameters()
        p.sampling = .greedy
        p.maxTokens = maxTokens
        p.promptBatchSize = chunk
        p.ignoreEndOfGeneration = ignoreEnd
        return p
    }

    /// The token ids and summary `Engine.run` gives for the prompt alone, from an empty cache.
    static func alone(_ engine: Engine, _ prompt: [Int32], _ p: GenerateParameters) throws -> (ids: [Int32], summary: GenerationSummary) {
        var ids: [Int32] = []
        let summary = try engine.run(prompt, parameters: p) { e in
            if case .token(let id, _) = e, id >= 0 { ids.append(id) }
        }
        return (ids, summary)
    }

    /// What a run of steps produced, by job.
    struct Trace {
        var ids: [Int: [Int32]] = [:]
        var summaries: [Int: GenerationSummary] = [:]
        /// The jobs each step evaluated, in the order of its updates.
        var evaluated: [[Int]] = []
        var tokensPerStep: [Int] = []

        mutating func record(_ report: BatchStepper<Int>.StepReport) {
            evaluated.append(report.updates.filter { $0.logits != nil }.map(\.job))
            tokensPerStep.append(report.tokens)
            for u in report.updates {
                if let t = u.step.token { ids[u.job, default: []].append(t) }
                if u.step.finished != nil { summaries[u.job] = u.summary }
            }
        }
    }

    /// Steps until the stepper is idle.
    static func drain(_ s: BatchStepper<Int>, into trace: inout Trace) {
        while !s.isIdle {
            let report = s.step()
            #expect(report.failure == nil)
            trace.record(report)
        }
    }

    /// Sequences are served in admission order, and a decoding sequence advances every step: with
    /// a budget of one 2-token chunk, B's prompt waits for A's, C's for B's, while A (then B)
    /// decodes a token per step.
    @Test func admissionOrderAndOneDecodeTokenPerStep() throws {
        let engine = try TinyEngineFile.engine()
        let s = BatchStepper<Int>(engine: engine, width: 3, promptTokensPerStep: 2)
        let p = Self.greedy(maxTokens: 8, chunk: 2)
        for job in 0 ..< 3 { try s.admit(job, prompt: Self.prompt(4, from: job), parameters: p) }
        #expect(!s.hasFreeSlot && s.activeCount == 3)
        var trace = Trace()
        Self.drain(s, into: &trace)
        // A reads steps 1-2 and samples its 8th token at step 9; B starts at step 3, C at step 5.
        let expected = (1 ... 13).map { step in [(0, 1 ... 9), (1, 3 ... 11), (2, 5 ... 13)].filter { $0.1.contains(step) }.map(\.0) }
        #expect(trace.evaluated == expected)
        for job in 0 ..< 3 {
            #expect(trace.ids[job]?.count == 8)
            #expect(trace.summaries[job]?.finishReason == .length)
            #expect(trace.ids[job] == (try Self.alone(engine, Self.prompt(4, from: job), p)).ids, "job \(job)")
        }
    }

    /// A 40-token prompt read 4 tokens a step does not hold back a decoding sequence: every step
    /// evaluates A's one token and B's one chunk, and A's tokens are those it makes alone.
    @Test func aLongPromptDoesNotStarveADecodingSequence() throws {
        let engine = try TinyEngineFile.engine()
        let s = BatchStepper<Int>(engine: engine, width: 2, promptTokensPerStep: 4)
        let pa = Self.greedy(maxTokens: 16, chunk: 4)
        try s.admit(0, prompt: Self.prompt(3), parameters: pa)
        var trace = Trace()
        trace.record(s.step())
        #expect(trace.ids[0]?.count == 1, "A's prompt fits one chunk: it has sampled")
        try s.admit(1, prompt: Self.prompt(40, from: 1), parameters: Self.greedy(maxTokens: 4, chunk: 4))
        for _ in 0 ..< 10 { trace.record(s.step()) }
        #expect(trace.evaluated.dropFirst().allSatisfy { $0 == [0, 1] })
        #expect(Array(trace.tokensPerStep.dropFirst()) == Array(repeating: 1 + 4, count: 10))
        #expect(trace.ids[0]?.count == 11, "A advanced one token on each of the 10 steps")
        #expect(trace.ids[1]?.count == 1, "B sampled after its 10th chunk")
        Self.drain(s, into: &trace)
        #expect(trace.ids[0] == (try Self.alone(engine, Self.prompt(3), pa)).ids)
    }

    /// Cancelling a sequence mid-prefill ends it with no token, frees its slot at once (the slot's
    /// cache holds exactly the chunk it read), and the next job in that slot and the sequence
    /// beside it give the tokens they give alone.
    @Test func cancelMidPrefillFreesTheSlot() throws {
        let engine = try TinyEngineFile.engine()
        let spy = PlacementSpy()
        let s = BatchStepper<Int>(engine: engine, width: 2, promptTokensPerStep: 100, placement: spy)
        let p = Self.greedy(maxTokens: 6, chunk: 4)
        let a = Self.prompt(5), b = Self.prompt(20, from: 2), c = Self.prompt(6, from: 7)
        #expect(try s.admit(0, prompt: a, parameters: p) == 0)
        #expect(try s.admit(1, prompt: b, parameters: p) == 1)
        var trace = Trace()
        trace.record(s.step())  // A's and B's first chunks
        let report = s.step(cancelling: { $0 == 1 })
        trace.record(report)
        let cancelled = try #require(report.updates.first { $0.job == 1 })
        #expect(cancelled.step.finished == .cancelled && cancelled.step.token == nil && cancelled.logits == nil)
        #expect(cancelled.step.tail.isEmpty && cancelled.summary.generatedTokens == 0)
        #expect(report.sequences == 1, "only A was evaluated")
        #expect(s.activeCount == 1 && s.hasFreeSlot)
        #expect(try s.admit(2, prompt: c, parameters: p) == 1, "C takes B's slot")
        #expect(spy.offered.last?.map(\.index) == [1])
        #expect(spy.offered.last?.first?.cachedTokens == Array(b.prefix(4)), "the slot's cache holds B's one chunk")
        Self.drain(s, into: &trace)
        #expect(trace.ids[1] == nil)
        #expect(trace.ids[0] == (try Self.alone(engine, a, p)).ids)
        #expect(trace.ids[2] == (try Self.alone(engine, c, p)).ids)
        #expect(trace.summaries[2]?.promptTokens == c.count)
    }

    /// A sequence that reaches its limit leaves its slot in the step that ends it; the other goes
    /// on without missing a step, and the next job takes the freed slot.
    @Test func aSequenceFinishesWhileOthersContinue() throws {
        let engine = try TinyEngineFile.engine()
        let s = BatchStepper<Int>(engine: engine, width: 2)
        let short = Self.greedy(maxTokens: 2, chunk: 8), long = Self.greedy(maxTokens: 10, chunk: 8)
        try s.admit(0, prompt: Self.prompt(5), parameters: short)
        try s.admit(1, prompt: Self.prompt(7, from: 4), parameters: long)
        var trace = Trace()
        trace.record(s.step())
        #expect(!s.hasFreeSlot)
        let end = s.step()
        trace.record(end)
        #expect(end.updates.map(\.job) == [0, 1])
        #expect(end.updates[0].step.finished == .length && end.updates[1].step.finished == nil)
        #expect(s.activeCount == 1 && s.hasFreeSlot)
        #expect(try s.admit(2, prompt: Self.prompt(4, from: 9), parameters: short) == 0)
        Self.drain(s, into: &trace)
        #expect(trace.evaluated.allSatisfy { $0.contains(1) } && trace.evaluated.count == 10, "B advanced every step")
        #expect(trace.ids[0] == (try Self.alone(engine, Self.prompt(5), short)).ids)
        #expect(trace.ids[1] == (try Self.alone(engine, Self.prompt(7, from: 4), long)).ids)
        #expect(trace.ids[2] == (try Self.alone(engine, Self.prompt(4, from: 9), short)).ids)
    }

    /// Seeded sampling that may end on the end-of-generation token, seven jobs through two slots:
    /// each job's tokens, finish reason and count are those of `Engine.run` with the same seed.
    @Test func jobsGiveTheSameTokensAsAloneWithTheSameSeed() throws {
        let engine = try TinyEngineFile.engine()
        let jobs: [(prompt: [Int32], parameters: GenerateParameters)] = (0 ..< 7).map { i in
            var p = GenerateParameters()
            p.sampling.temperature = 1.2
            p.sampling.seed = UInt64(100 + i)
            p.maxTokens = 6 + 3 * i
            p.promptBatchSize = 1 + i % 3
            return (Self.prompt(3 + 2 * i, from: i), p)
        }
        let s = BatchStepper<Int>(engine: engine, width: 2, promptTokensPerStep: 3)
        var trace = Trace()
        var next = 0
        while next < jobs.count || !s.isIdle {
            while s.hasFreeSlot, next < jobs.count {
                try s.admit(next, prompt: jobs[next].prompt, parameters: jobs[next].parameters)
                next += 1
            }
            trace.record(s.step())
        }
        var endedOnEOG = 0
        for (i, job) in jobs.enumerated() {
            let want = try Self.alone(engine, job.prompt, job.parameters)
            #expect((trace.ids[i] ?? []) == want.ids, "job \(i)")
            #expect(trace.summaries[i]?.finishReason == want.summary.finishReason, "job \(i)")
            #expect(trace.summaries[i]?.generatedTokens == want.summary.generatedTokens, "job \(i)")
            if want.summary.finishReason == .stop { endedOnEOG += 1 }
        }
        #expect(endedOnEOG > 0 && endedOnEOG < jobs.count, "both endings are covered (\(endedOnEOG) of \(jobs.count) stopped)")
    }

    /// The placement decides the slot and the reused prefix: a slot keeps its cache and tokens
    /// after its sequence ends, and a prompt placed on a cached prefix evaluates only the rest yet
    /// gives the tokens it gives from an empty cache.
    @Test func placementChoosesTheSlotAndTheReusedPrefix() throws {
        let engine = try TinyEngineFile.engine()
        let spy = PlacementSpy(reuseLongestPrefix: true)
        let s = BatchStepper<Int>(engine: engine, width: 3, placement: spy)
        let p = Self.greedy(maxTokens: 4, chunk: 16)
        let first = Self.prompt(6)
        #expect(try s.admit(0, prompt: first, parameters: p) == 2, "the spy takes the highest free slot")
        var trace = Trace()
        Self.drain(s, into: &trace)
        let generated = try #require(trace.ids[0])
        // Every token evaluated stays cached: the prompt and the first three sampled (the fourth
        // ended the sequence before it was fed).
        let other: Int32 = generated[2] == 5 ? 6 : 5  // the prompt leaves the cache after 8 tokens
        let follow = first + generated.prefix(2) + [other, 8, 1]
        try s.admit(1, prompt: follow, parameters: p)
        #expect(spy.offered.last?.first { $0.index == 2 }?.cachedTokens == first + generated.prefix(3))
        #expect(spy.placed.last == SlotPlacement(slot: 2, reuse: first.count + 2))
        let report = s.step()
        trace.record(report)
        #expect(report.tokens == 3, "only the 3 new prompt tokens are evaluated")
        Self.drain(s, into: &trace)
        #expect(trace.ids[1] == (try Self.alone(engine, follow, p)).ids)
    }

    /// A prompt the decoder refuses is a typed error and leaves the slot free for the next job.
    @Test func refusedPromptsLeaveTheSlotFree() throws {
        let engine = try TinyEngineFile.engine()
        let s = BatchStepper<Int>(engine: engine, width: 1)
        let p = Self.greedy(maxTokens: 3, chunk: 8)
        #expect(throws: GenerationError.emptyPrompt) { try s.admit(0, prompt: [], parameters: p) }
        #expect(throws: GenerationError.promptTooLong(tokens: 64, context: 64)) {
            try s.admit(1, prompt: Self.prompt(64), parameters: p)
        }
        #expect(s.hasFreeSlot && s.isIdle)
        try s.admit(2, prompt: Self.prompt(5), parameters: p)
        var trace = Trace()
        Self.drain(s, into: &trace)
        #expect(trace.ids[2] == (try Self.alone(engine, Self.prompt(5), p)).ids)
    }
}

/// Records what admission offered and chose: the lowest-numbered free slot from an empty cache,
/// or with `reuseLongestPrefix` the free slot whose cache shares the longest prefix with the
/// prompt (the highest-numbered among equals), reusing that prefix.
final class PlacementSpy: SlotPlacementPolicy {
    let reuseLongestPrefix: Bool
    private(set) var offered: [[FreeSlot]] = []
    private(set) var placed: [SlotPlacement] = []

    init(reuseLongestPrefix: Bool = false) { self.reuseLongestPrefix = reuseLongestPrefix }

    func place(prompt: [Int32], among free: [FreeSlot]) -> SlotPlacement {
        offered.append(free)
        func shared(_ f: FreeSlot) -> Int { zip(f.cachedTokens, prompt).prefix { $0 == $1 }.count }
        let best = reuseLongestPrefix ? free.max { (shared($0), $0.index) < (shared($1), $1.index) }! : free[0]
        let reuse = reuseLongestPrefix ? min(shared(best), prompt.count - 1) : 0
        placed.append(SlotPlacement(slot: best.index, reuse: reuse))
        return placed.last!
    }
}
