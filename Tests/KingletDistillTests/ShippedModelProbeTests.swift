import Foundation
import KingletRuntime
import KingletTestSupport
import Testing
@testable import KingletDistill

/// `ShippedModelProbe` on the tiny synthetic llama: decode speed, size, greedy answers and the
/// teacher's perplexity of them.
@Suite struct ShippedModelProbeTests {
    static let prompts = [
        HeldOutPrompt(id: "p1", text: "abc", tokens: [0, 1, 2]),
        HeldOutPrompt(id: "p2", text: "j", tokens: [9]),
        HeldOutPrompt(id: "p3", text: "fed", tokens: [5, 4, 3]),
    ]

    static var probe: ShippedModelProbe {
        var p = ShippedModelProbe(threads: 1)
        p.maxNewTokens = 12
        p.decodeTokens = 16      // the tiny model's context is 64
        p.repetitions = 3
        return p
    }

    @Test func aModelScoringItsOwnGreedyAnswersHasAFinitePerplexityOfAtLeastOne() throws {
        let path = URL(fileURLWithPath: try TinyEngineFile.path.get())
        let f = try Self.probe.measure(model: path, teacher: path, prompts: Self.prompts, format: "q8_0")
        let ppl = try #require(f.teacherPPLOfGenerations)
        #expect(ppl.isFinite && ppl >= 1)
        // Each answer token is the teacher's own argmax, so p ≥ 1/V: the perplexity is at most V.
        #expect(ppl <= Double(11))
        #expect((f.scoredTokens ?? 0) > 0)
        #expect((f.tg128TokensPerSecond ?? 0) > 0)
        let size = try FileManager.default.attributesOfItem(atPath: path.path)[.size] as? Int
        #expect(f.fileBytes == size.map(Double.init))
        #expect(f.format == "q8_0" && f.answers?.map(\.id) == ["p1", "p2", "p3"] && f.answers?.first?.prompt == "abc")
        // Greedy: the same file answers the same.
        let again = try Self.probe.measure(model: path, teacher: path, prompts: Self.prompts, format: "q8_0")
        #expect(again.answers == f.answers && again.teacherPPLOfGenerations == f.teacherPPLOfGenerations)
    }

    @Test func theTeacherPerplexityIsTheMeanNegativeLogLikelihoodOfTheAnswerTokens() throws {
        let engine = try TinyEngineFile.engine()
        let prompt: [Int32] = [0, 1, 2]
        let (tokens, _) = try ShippedModelProbe.greedyAnswer(engine, prompt: prompt, maxNewTokens: 6)
        try #require(!tokens.isEmpty)
        // Reference: one token at a time through the cache, −log softmax of the logits before each.
        let state = engine.makeState()
        var logits = try engine.model.forward(prompt, state: state, logits: .last)
        var reference = 0.0
        for t in tokens {
            let m = logits.max()!
            let lse = Double(m) + log(logits.reduce(0.0) { $0 + Double(expf($1 - m)) })
            reference += lse - Double(logits[Int(t)])
            #expect(Int(t) == logits.indices.max { logits[$0] < logits[$1] }, "greedy picks the argmax")
            logits = try engine.model.forward([t], state: state, logits: .last)
        }
        let (sum, n) = try ShippedModelProbe.negativeLogLikelihood(engine, prompt: prompt, completion: tokens)
        #expect(n == tokens.count)
        #expect(abs(sum - reference) < 1e-3 * max(1, reference))
    }

    @Test func aStudentWithTheTeachersArgmaxGivesTheTeachersAnswersAndPerplexity() throws {
        // The flatter file scales the output head by 0.5: other probabilities, the same argmax.
        let teacher = URL(fileURLWithPath: try TinyEngineFile.path.get())
        let student = URL(fileURLWithPath: try TinyEngineFile.pathFlatter.get())
        let own = try Self.probe.measure(model: teacher, teacher: teacher, prompts: Self.prompts, format: nil)
        let other = try Self.probe.measure(model: student, teacher: teacher, prompts: Self.prompts, format: "q8_0")
        #expect(other.answers == own.answers)
        #expect(abs((other.teacherPPLOfGenerations ?? 0) - (own.teacherPPLOfGenerations ?? -1)) < 1e-9)
    }

    @Test func noAnswerTokensMeansNoPerplexityAndJSONLeavesNonFiniteOut() throws {
        let path = URL(fileURLWithPath: try TinyEngineFile.path.get())
        let f = try Self.probe.measure(model: path, teacher: path, prompts: [], format: nil)
        #expect(f.teacherPPLOfGenerations == nil && f.scoredTokens == 0 && f.answers == [])
        let odd = ShippedFigures(tg128TokensPerSecond: .infinity, teacherPPLOfGenerations: .nan)
        let back = try JSONDecoder().decode(ShippedFigures.self, from: odd.jsonData())
        #expect(back.tg128TokensPerSecond == nil && back.teacherPPLOfGenerations == nil)
    }
}
