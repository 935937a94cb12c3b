import Foundation
import KingletArchitectures
import KingletChatTemplate
import KingletRuntime
import Testing

/// `SequenceDecoder` is the one copy of the generation logic: `Engine.run` drives it alone, the
/// server drives several at once through one batched forward pass per step.
@Suite(.serialized) struct SequenceDecoderTests {
    static func engine() throws -> Engine { try TestModels.engine.get() }

    static let prompts = ["The capital of France is", "Once upon a time, in a small village,",
                          "<|im_start|>user\nName three colours.<|im_end|>\n<|im_start|>assistant\n"]

    static func alone(_ engine: Engine, _ prompt: String, _ p: GenerateParameters) throws -> (ids: [Int32], text: String, summary: GenerationSummary) {
        var ids: [Int32] = []
        var text = ""
        let s = try engine.run(try engine.tokens(for: .raw(prompt)), parameters: p) { e in
            if case .token(let id, let piece) = e { if id >= 0 { ids.append(id) }; text += piece }
        }
        return (ids, text, s)
    }

    @Test func batchedDecodersEqualEachRunAlone() throws {
        let engine = try Self.engine()
        var p = GenerateParameters()
        p.sampling = .greedy
        p.maxTokens = 24
        p.promptBatchSize = 4  // several prompt chunks, interleaved with other sequences' decoding
        let want = try Self.prompts.map { try Self.alone(engine, $0, p) }

        var decoders = try Self.prompts.map { try SequenceDecoder(prompt: try engine.tokens(for: .raw($0)), parameters: p,
                                                                  cache: PromptCache(state: engine.makeState()), tokenizer: engine.tokenizer) }
        var ids = Array(repeating: [Int32](), count: decoders.count)
        var texts = Array(repeating: "", count: decoders.count)
        var steps = 0
        while decoders.contains(where: { !$0.isFinished }) {
            let live = decoders.indices.filter { !decoders[$0].isFinished }
            let inputs = live.map { SequenceInput(tokens: decoders[$0].pendingInput()!, state: decoders[$0].state, logits: .last) }
            let logits = try engine.model.forward(inputs)
            for (k, i) in live.enumerated() {
                let step = decoders[i].accept(logits[k])
                if let t = step.token { ids[i].append(t) }
                texts[i] += step.text + step.tail
            }
            steps += 1
        }
        for i in decoders.indices {
            #expect(ids[i] == want[i].ids, "prompt \(i)")
            #expect(texts[i] == want[i].text, "prompt \(i)")
            #expect(decoders[i].summary.finishReason == want[i].summary.finishReason)
            #expect(decoders[i].summary.generatedTokens == want[i].summary.generatedTokens)
        }
        #expect(steps <= 24 + 3 + 10, "one forward pass per step for all sequences (\(steps) steps)")
    }

    @Test func logprobsAreTheLogSoftmaxOfTheLogits() throws {
        let engine = try Self.engine()
        var p = GenerateParameters()
        p.sampling = .greedy
        p.maxTokens = 6
        let state = engine.makeState()
        var d = try SequenceDecoder(prompt: try engine.tokens(for: .raw(Self.prompts[0])), parameters: p,
                                    cache: PromptCache(state: state), tokenizer: engine.tokenizer, logprobs: 5)
        var checked = 0
        while let input = d.pendingInput() {
            let logits = try engine.model.forward(input, state: state, logits: .last)
            let step = d.accept(logits)
            guard let lp = step.logprob, let token = step.token else { continue }
            let m = Double(logits.max()!)
            let lse = m + log(logits.reduce(0.0) { $0 + exp(Double($1) - m) })
            #expect(abs(Double(lp.chosen.logprob) - (Double(logits[Int(token)]) - lse)) < 1e-3)
            #expect(lp.top.count == 5)
            #expect(lp.top.map(\.logprob) == lp.top.map(\.logprob).sorted(by: >))
            #expect(lp.top[0].token == token, "greedy picks the most likely token")
            #expect(lp.chosen.bytes == engine.tokenizer.piece(token, special: false))
            checked += 1
        }
        #expect(checked > 0)
    }

    @Test func stopLimitAndCancel() throws {
        let engine = try Self.engine()
        var p = GenerateParameters()
        p.sampling = .greedy
        p.maxTokens = 24
        let full = try Self.alone(engine, Self.prompts[1], p)
        // a stop string from the middle of the text: output ends right before it
        let mid = full.text.index(full.text.startIndex, offsetBy: full.text.count / 2)
        let stop = String(full.text[mid...].prefix(4))
        var ps = p
        ps.stop = [stop]
        let cut = try Self.alone(engine, Self.prompts[1], ps)
        #expect(cut.text == String(full.text[..<full.text.range(of: stop)!.lowerBound]))
        #expect(cut.summary.finishReason == .stop)
        // the limit
        var pl = p
        pl.maxTokens = 3
        let short = try Self.alone(engine, Self.prompts[1], pl)
        #expect(short.summary.finishReason == .length && short.summary.generatedTokens == 3)
        // cancelling between steps
        var d = try SequenceDecoder(prompt: try engine.tokens(for: .raw(Self.prompts[1])), parameters: p,
                                    cache: PromptCache(state: engine.makeState()), tokenizer: engine.tokenizer)
        _ = d.accept(try engine.model.forward(d.pendingInput()!, state: d.state, logits: .last))
        let end = d.cancel()
        #expect(end.finished == .cancelled && d.isFinished && d.pendingInput() == nil)
        // bad prompts are typed errors
        #expect(throws: GenerationError.emptyPrompt) {
            try SequenceDecoder(prompt: [], parameters: p, cache: PromptCache(state: engine.makeState()), tokenizer: engine.tokenizer)
        }
    }

    @Test func chatSessionReusesTheCacheAndAnswersAsAFreshOne() async throws {
        let engine = try Self.engine()
        var p = GenerateParameters()
        p.sampling = .greedy
        p.maxTokens = 12
        func reply(_ turn: ChatSession.Turn) async throws -> String {
            var text = ""
            for try await e in turn.events {
                if case .token(_, let t) = e { text += t }
                if case .finished(let s) = e {
                    // The run reused what respond(to:) announced, and counts the whole prompt.
                    #expect(s.cachedTokens == turn.reusedTokens && s.promptTokens == turn.promptTokens)
                }
            }
            return text
        }
        let session = try ChatSession(engine: engine, system: "Be brief.")
        let first = try session.respond(to: "Name a colour.", parameters: p)
        #expect(first.reusedTokens == 0)
        let a1 = try await reply(first)
        let second = try session.respond(to: "Name another.", parameters: p)
        #expect(second.reusedTokens > first.promptTokens / 2, "the first turn's tokens are reused (\(second.reusedTokens))")
        let a2 = try await reply(second)
        #expect(session.messages.map(\.role) == ["system", "user", "assistant", "user", "assistant"])
        #expect(session.messages[2].content == a1)

        // The same conversation evaluated from scratch gives the same greedy reply.
        let ids = try engine.tokens(for: .chat(Array(session.messages.dropLast())))
        var text = ""
        try engine.run(ids, parameters: p) { e in if case .token(_, let t) = e { text += t } }
        #expect(text == a2)
    }
}
