import Foundation
import KingletRuntime
import KingletTestSupport
import Testing

/// The prompt cache: `LongestCachedPrefix` choosing slots, `BatchStepper` keeping each slot's cache
/// and evaluating only what differs, `SequenceDecoder` counting the reused prefix, and
/// `Engine.run` with a `PromptCache`, on the tiny synthetic model. A reused prefix must change
/// nothing but the work: the same tokens, logprobs and logits as from an empty cache.
@Suite struct PromptCacheTests {
    typealias B = BatchStepperTests

    /// Everything a job produced, step by step.
    struct Output: Equatable {
        var ids: [Int32] = []
        var logprobs: [TokenLogprob] = []
        /// The logits rows tokens were sampled from (a prompt chunk that is not the last has none).
        var logits: [[Float]] = []
    }

    /// Runs the stepper until idle, collecting each job's output and final summary.
    static func drain(_ s: BatchStepper<Int>, _ out: inout [Int: Output], _ summaries: inout [Int: GenerationSummary]) {
        while !s.isIdle {
            let report = s.step()
            #expect(report.failure == nil)
            collect(report, &out, &summaries)
        }
    }

    static func collect(_ report: BatchStepper<Int>.StepReport, _ out: inout [Int: Output], _ summaries: inout [Int: GenerationSummary]) {
        for u in report.updates {
            if let t = u.step.token { out[u.job, default: Output()].ids.append(t) }
            if let l = u.step.logprob { out[u.job, default: Output()].logprobs.append(l) }
            if let l = u.logits, u.step.token != nil || u.step.finished != nil { out[u.job, default: Output()].logits.append(l) }
            if u.step.finished != nil { summaries[u.job] = u.summary }
        }
    }

    /// The prompt alone in a fresh stepper (one slot, an empty cache).
    static func cold(_ engine: Engine, _ prompt: [Int32], _ p: GenerateParameters, logprobs: Int? = nil) throws -> (Output, GenerationSummary) {
        let s = BatchStepper<Int>(engine: engine, width: 1)
        try s.admit(0, prompt: prompt, parameters: p, logprobs: logprobs)
        var out: [Int: Output] = [:], summaries: [Int: GenerationSummary] = [:]
        drain(s, &out, &summaries)
        return (out[0] ?? Output(), try #require(summaries[0]))
    }

    /// A text token that is not `token`, so a follow-up leaves its conversation's cache there.
    static func other(than token: Int32) -> Int32 { token == 3 ? 4 : 3 }

    // MARK: - The placement alone

    /// The longest reusable prefix wins; among equals the least recently used; a prompt that shares
    /// nothing takes the least recently used slot (a never-used one first); a prompt held whole
    /// still leaves its last token to evaluate.
    @Test func longestPrefixThenLeastRecentlyUsed() {
        let policy = LongestCachedPrefix()
        let a = FreeSlot(index: 0, cachedTokens: [1, 2, 3], lastUsed: 5)
        let b = FreeSlot(index: 1, cachedTokens: [1, 2, 3, 4, 5], lastUsed: 7)
        let c = FreeSlot(index: 2, cachedTokens: [1, 2, 3, 4, 9], lastUsed: 3)
        let unused = FreeSlot(index: 3, cachedTokens: [], lastUsed: 0)
        #expect(policy.place(prompt: [1, 2, 3, 4, 5, 6], among: [a, b, c, unused]) == SlotPlacement(slot: 1, reuse: 5))
        #expect(policy.place(prompt: [1, 2, 3, 4, 6], among: [a, b, c, unused]) == SlotPlacement(slot: 2, reuse: 4), "b and c tie: c is older")
        #expect(policy.place(prompt: [1, 2, 3, 7], among: [b, a]) == SlotPlacement(slot: 0, reuse: 3), "a ties with b and is older")
        #expect(policy.place(prompt: [1, 2, 3], among: [a, unused]) == SlotPlacement(slot: 0, reuse: 2), "held whole: the last token is evaluated")
        #expect(policy.place(prompt: [8, 1, 2], among: [a, b, c, unused]) == SlotPlacement(slot: 3, reuse: 0), "nothing shared: the never-used slot")
        #expect(policy.place(prompt: [8, 1, 2], among: [b, a, c]) == SlotPlacement(slot: 2, reuse: 0), "nothing shared: the least recently used")
        #expect(PromptCache.reusable(cached: [1, 2], prompt: [1, 2, 3, 4]) == 2)
        #expect(PromptCache.reusable(cached: [5], prompt: [5]) == 0)
    }

    // MARK: - Through the stepper

    /// Slots keep their caches: a follow-up goes back to its conversation's slot and evaluates only
    /// its new tokens; a prompt that shares nothing evicts the least recently used slot. Every job
    /// gives the tokens it gives alone, and its summary counts the whole prompt and the reused part.
    @Test func followUpsReuseTheirSlotAndStrangersEvictTheLeastRecentlyUsed() throws {
        let engine = try TinyEngineFile.engine()
        let s = BatchStepper<Int>(engine: engine, width: 2, placement: LongestCachedPrefix())
        let p = B.greedy(maxTokens: 4, chunk: 4)
        var out: [Int: Output] = [:], summaries: [Int: GenerationSummary] = [:]
        struct Placed: Equatable { var slot, cached, evaluated: Int }
        func run(_ job: Int, _ prompt: [Int32]) throws -> Placed {
            let slot = try s.admit(job, prompt: prompt, parameters: p)
            var evaluated = 0
            while !s.isIdle {
                let report = s.step()
                evaluated += report.tokens
                Self.collect(report, &out, &summaries)
            }
            let summary = try #require(summaries[job])
            #expect(summary.promptTokens == prompt.count, "job \(job)")
            #expect(out[job]?.ids == (try B.alone(engine, prompt, p)).ids, "job \(job)")
            return Placed(slot: slot, cached: summary.cachedTokens, evaluated: evaluated)
        }
        let a = B.prompt(7, from: 0), b = B.prompt(6, from: 1), c = B.prompt(5, from: 2)
        #expect(try run(0, a) == Placed(slot: 0, cached: 0, evaluated: 7 + 3), "both slots unused: the lowest")
        #expect(try run(1, b) == Placed(slot: 1, cached: 0, evaluated: 6 + 3), "shares nothing: the slot never used")
        let a2 = a + out[0]!.ids.prefix(3) + [Self.other(than: out[0]!.ids[3]), 2]
        #expect(try run(2, a2) == Placed(slot: 0, cached: 10, evaluated: 2 + 3), "a's slot holds a and its first three tokens")
        #expect(try run(3, c) == Placed(slot: 1, cached: 0, evaluated: 5 + 3), "shares nothing: b's slot, used longer ago than a's")
        let b2 = b + out[1]!.ids.prefix(2)
        #expect(try run(4, b2) == Placed(slot: 0, cached: 0, evaluated: 8 + 3), "b was evicted; a's slot is now the least recently used")
    }

    /// A sequence cancelled while reading its prompt leaves its slot holding exactly the chunks it
    /// read; the same prompt then reuses them and gives the cold tokens and logprobs.
    @Test func cancelMidPrefillThenReuse() throws {
        let engine = try TinyEngineFile.engine()
        let recorder = RecordingPlacement()
        let s = BatchStepper<Int>(engine: engine, width: 1, promptTokensPerStep: 100, placement: recorder)
        let p = B.greedy(maxTokens: 6, chunk: 4)
        let prompt = B.prompt(20, from: 3)
        try s.admit(0, prompt: prompt, parameters: p, logprobs: 2)
        _ = s.step()
        _ = s.step()
        let cancelled = s.step(cancelling: { $0 == 0 })
        #expect(cancelled.updates.map(\.step.finished) == [.cancelled] && s.isIdle)

        try s.admit(1, prompt: prompt, parameters: p, logprobs: 2)
        #expect(recorder.offered.last?.first?.cachedTokens == Array(prompt.prefix(8)), "two chunks were read")
        #expect(recorder.placed.last == SlotPlacement(slot: 0, reuse: 8))
        var out: [Int: Output] = [:], summaries: [Int: GenerationSummary] = [:]
        let first = s.step()
        #expect(first.tokens == 4, "reading resumes at token 8")
        Self.collect(first, &out, &summaries)
        Self.drain(s, &out, &summaries)
        let (want, wantSummary) = try Self.cold(engine, prompt, p, logprobs: 2)
        #expect(out[1] == want)
        #expect(summaries[1]?.cachedTokens == 8 && summaries[1]?.promptTokens == 20 && wantSummary.cachedTokens == 0)

        // The slot now holds the prompt and every sampled token but the last.
        try s.admit(2, prompt: [9], parameters: p)
        #expect(recorder.offered.last?.first?.cachedTokens == prompt + want.ids.dropLast())
    }

    /// A follow-up that reuses a conversation's cache gives exactly the cold run's greedy tokens,
    /// logprobs and logits rows, though its prompt is read in other chunks.
    @Test func aReusedPrefixGivesTheColdTokensLogprobsAndLogits() throws {
        let engine = try TinyEngineFile.engine()
        let s = BatchStepper<Int>(engine: engine, width: 2, placement: LongestCachedPrefix())
        let p = B.greedy(maxTokens: 8, chunk: 4)
        var out: [Int: Output] = [:], summaries: [Int: GenerationSummary] = [:]
        let first = B.prompt(9, from: 4)
        try s.admit(0, prompt: first, parameters: p, logprobs: 3)
        try s.admit(1, prompt: B.prompt(5, from: 5), parameters: p, logprobs: 3)  // a neighbour in the batch
        Self.drain(s, &out, &summaries)
        let follow = first + out[0]!.ids.prefix(5) + [Self.other(than: out[0]!.ids[5]), 7, 2]
        try s.admit(2, prompt: follow, parameters: p, logprobs: 3)
        Self.drain(s, &out, &summaries)
        #expect(summaries[2]?.cachedTokens == 14)
        let (want, _) = try Self.cold(engine, follow, p, logprobs: 3)
        #expect(out[2]?.ids == want.ids)
        #expect(out[2]?.logprobs == want.logprobs)
        #expect(out[2]?.logits == want.logits)
        #expect(want.logits.count == 8)
    }

    /// Penalties look back over the whole prompt, the reused prefix included, so a penalised
    /// follow-up gives the cold tokens too; the usage counts the whole prompt.
    @Test func penaltiesAndUsageCoverTheReusedPrefix() throws {
        let engine = try TinyEngineFile.engine()
        let s = BatchStepper<Int>(engine: engine, width: 1, placement: LongestCachedPrefix())
        var p = B.greedy(maxTokens: 6, chunk: 8)
        p.sampling.presencePenalty = 4
        var out: [Int: Output] = [:], summaries: [Int: GenerationSummary] = [:]
        let first = B.prompt(8, from: 6)
        try s.admit(0, prompt: first, parameters: p)
        Self.drain(s, &out, &summaries)
        let follow = first + out[0]!.ids.prefix(4) + [Self.other(than: out[0]!.ids[4])]
        try s.admit(1, prompt: follow, parameters: p)
        Self.drain(s, &out, &summaries)
        let (want, wantSummary) = try Self.cold(engine, follow, p)
        #expect(out[1]?.ids == want.ids)
        #expect(summaries[1]?.promptTokens == follow.count && summaries[1]?.cachedTokens == 12)
        #expect(wantSummary.promptTokens == follow.count && wantSummary.cachedTokens == 0)
    }

    /// A prompt the slot holds whole evaluates its last token again (for its logits) and nothing else.
    @Test func aPromptHeldWholeEvaluatesItsLastToken() throws {
        let engine = try TinyEngineFile.engine()
        let s = BatchStepper<Int>(engine: engine, width: 1, placement: LongestCachedPrefix())
        let p = B.greedy(maxTokens: 5, chunk: 16)
        var out: [Int: Output] = [:], summaries: [Int: GenerationSummary] = [:]
        let prompt = B.prompt(10, from: 7)
        try s.admit(0, prompt: prompt, parameters: p, logprobs: 1)
        Self.drain(s, &out, &summaries)
        try s.admit(1, prompt: prompt, parameters: p, logprobs: 1)
        let first = s.step()
        #expect(first.tokens == 1)
        Self.collect(first, &out, &summaries)
        Self.drain(s, &out, &summaries)
        #expect(out[1] == out[0])
        #expect(summaries[1]?.cachedTokens == 9 && summaries[1]?.promptTokens == 10)
    }

    // MARK: - The Swift API

    /// `Engine.run` with a `PromptCache` reuses what the cache holds, the same way, and answers as
    /// without one; the cache holds exactly what was evaluated.
    @Test func engineRunWithAPromptCache() throws {
        let engine = try TinyEngineFile.engine()
        let cache = PromptCache(state: engine.makeState())
        let p = B.greedy(maxTokens: 5, chunk: 3)
        let first = B.prompt(7, from: 8)
        var ids: [Int32] = []
        let s1 = try engine.run(first, parameters: p, cache: cache) { e in if case .token(let id, _) = e, id >= 0 { ids.append(id) } }
        #expect(s1.cachedTokens == 0 && s1.promptTokens == 7)
        #expect(cache.tokens == first + ids.dropLast() && cache.state.cache.count == cache.tokens.count)
        let follow = first + ids.prefix(2) + [Self.other(than: ids[2])]
        var again: [Int32] = []
        let s2 = try engine.run(follow, parameters: p, cache: cache) { e in if case .token(let id, _) = e, id >= 0 { again.append(id) } }
        #expect(s2.cachedTokens == 9 && s2.promptTokens == 10)
        #expect(again == (try B.alone(engine, follow, p)).ids)
        // Cancelled while reading the prompt: the cache keeps the chunk it read.
        var calls = 0
        let other = B.prompt(8, from: 1)
        let s3 = try engine.run(other, parameters: p, cache: cache, isCancelled: { calls += 1; return calls > 1 }) { _ in }
        #expect(s3.finishReason == .cancelled && s3.cachedTokens == 0)
        #expect(cache.tokens == Array(other.prefix(3)) && cache.state.cache.count == 3)
    }
}

/// `LongestCachedPrefix`, recording what it was offered and what it chose.
final class RecordingPlacement: SlotPlacementPolicy {
    private(set) var offered: [[FreeSlot]] = []
    private(set) var placed: [SlotPlacement] = []

    func place(prompt: [Int32], among free: [FreeSlot]) -> SlotPlacement {
        offered.append(free)
        placed.append(LongestCachedPrefix().place(prompt: prompt, among: free))
        return placed.last!
    }
}
