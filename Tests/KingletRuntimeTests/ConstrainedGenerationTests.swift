import Foundation
import KingletGrammar
import KingletRuntime
import KingletTestSupport
import Testing

/// Constrained generation (`GenerateParameters.constraint`) on the tiny synthetic model (tokens
/// "a" … "j" and `<|end|>`): sampled outputs follow the grammar, end-of-generation only where it
/// accepts, `length` when the limit cuts a value, each batched sequence its own grammar.
@Suite struct ConstrainedGenerationTests {
    static let engine = Result { try TinyEngineFile.engine() }
    static let prompt: [Int32] = [0, 3, 6, 9, 2]

    static func parameters(_ gbnf: String, seed: UInt64, maxTokens: Int = 16, temperature: Float = 1) throws -> GenerateParameters {
        var p = GenerateParameters()
        p.sampling.temperature = temperature
        p.sampling.topK = 0
        p.sampling.topP = 1
        p.sampling.minP = 0
        p.sampling.seed = seed
        p.maxTokens = maxTokens
        p.constraint = try .gbnf(gbnf)
        return p
    }

    /// Text and summary of `Engine.run`.
    static func run(_ p: GenerateParameters) throws -> (text: String, summary: GenerationSummary) {
        var text = ""
        let s = try engine.get().run(prompt, parameters: p) { e in
            if case .token(_, let t) = e { text += t }
        }
        return (text, s)
    }

    static func matches(_ text: String, _ regex: String) -> Bool {
        text.range(of: "^(?:\(regex))$", options: .regularExpression) != nil
    }

    /// Every sampled output at temperature 1 is a sentence (finish `stop`), or, when the limit cut
    /// it, a prefix of one (finish `length`); free sampling on the same seeds leaves the grammar.
    @Test func sampledOutputsFollowTheGrammar() throws {
        var stops = 0, freeMisses = 0
        for seed in 0 ..< UInt64(60) {
            let (text, s) = try Self.run(try Self.parameters(#"root ::= "ab" [c-e]+ "j""#, seed: seed, maxTokens: 10))
            if s.finishReason == .stop {
                stops += 1
                #expect(Self.matches(text, "ab[c-e]+j"), "seed \(seed): \(text)")
            } else {
                #expect(s.finishReason == .length && s.generatedTokens == 10)
                #expect(Self.matches(text, "(a(b[c-e]*)?)?"), "seed \(seed): \(text)")
            }
            var free = try Self.parameters("root ::= [a-j]", seed: seed, maxTokens: 10)
            free.constraint = nil
            if !Self.matches(try Self.run(free).text, "ab[c-e]+j") { freeMisses += 1 }
        }
        #expect(stops > 20, "most runs complete the value within 10 tokens (\(stops) did)")
        #expect(freeMisses == 60, "without the constraint the model does not produce the language")
    }

    /// Where the grammar accepts and can go on, end-of-generation may be sampled; only there.
    @Test func endOfGenerationOnlyWhereAccepting() throws {
        var ended = 0
        for seed in 0 ..< UInt64(60) {
            let (text, s) = try Self.run(try Self.parameters(#"root ::= "ab" [c-e]+"#, seed: seed, maxTokens: 12))
            if s.finishReason == .stop {
                ended += 1
                #expect(Self.matches(text, "ab[c-e]+"), "seed \(seed): \(text)")
            } else {
                #expect(Self.matches(text, "(a(b[c-e]*)?)?"), "seed \(seed): \(text)")
            }
        }
        #expect(ended > 0, "end-of-generation was sampled where the grammar accepts")
    }

    /// `maxTokens` before the grammar accepts: finish `length`, the value incomplete.
    @Test func limitCutsWithLength() throws {
        let (text, s) = try Self.run(try Self.parameters(#"root ::= "abcdefghij""#, seed: 1, maxTokens: 3))
        #expect(text == "abc")
        #expect(s.finishReason == .length)
        let (whole, done) = try Self.run(try Self.parameters(#"root ::= "abcdefghij""#, seed: 1, maxTokens: 10))
        #expect(whole == "abcdefghij" && done.finishReason == .stop, "complete at the limit is stop")
    }

    /// Logprobs come after masking: the alternatives are allowed tokens only, and their
    /// probabilities sum to one.
    @Test func logprobsAfterMasking() throws {
        let engine = try Self.engine.get()
        var d = try SequenceDecoder(prompt: Self.prompt, parameters: try Self.parameters("root ::= [ab] [c-e]", seed: 3),
                                    cache: PromptCache(state: engine.makeState()), tokenizer: engine.tokenizer, logprobs: 5,
                                    vocabulary: engine.tokenTrie)
        var steps: [TokenLogprob] = []
        while let input = d.pendingInput() {
            let step = d.accept(try engine.model.forward(input, state: d.state, logits: .last))
            if let lp = step.logprob { steps.append(lp) }
        }
        #expect(d.finishReason == .stop)
        try #require(steps.count == 2)
        #expect(Set(steps[0].top.map(\.token)) == [0, 1])
        #expect(Set(steps[1].top.map(\.token)) == [2, 3, 4])
        for s in steps { #expect(abs(s.top.map { exp(Double($0.logprob)) }.reduce(0, +) - 1) < 1e-4) }
    }

    /// Batched sequences with different grammars in one `BatchStepper`: each follows its own.
    @Test func batchedSequencesKeepTheirOwnGrammar() throws {
        let grammars = [(#"root ::= "ab" [c-e]+ "j""#, "ab[c-e]+j"), (#"root ::= [f-i]+ "a""#, "[f-i]+a"),
                        (#"root ::= "jj" [a-c]{2,4}"#, "jj[a-c]{2,4}")]
        for seed in 0 ..< UInt64(8) {
            let stepper = BatchStepper<Int>(engine: try Self.engine.get(), width: 3)
            for (i, g) in grammars.enumerated() {
                try stepper.admit(i, prompt: Self.prompt, parameters: try Self.parameters(g.0, seed: seed * 3 + UInt64(i), maxTokens: 24))
            }
            var text: [Int: String] = [:], finish: [Int: FinishReason] = [:]
            while !stepper.isIdle {
                let report = stepper.step()
                #expect(report.failure == nil)
                for u in report.updates {
                    text[u.job, default: ""] += u.step.text + u.step.tail
                    if let f = u.step.finished { finish[u.job] = f }
                }
            }
            for (i, g) in grammars.enumerated() {
                let t = text[i] ?? ""
                if finish[i] == .stop { #expect(Self.matches(t, g.1), "seed \(seed) job \(i): \(t)") }
                #expect(finish[i] == .stop || !Self.matches(t, g.1), "seed \(seed) job \(i): \(t) \(String(describing: finish[i]))")
            }
        }
    }
}
