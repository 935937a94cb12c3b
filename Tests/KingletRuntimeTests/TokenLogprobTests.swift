import Foundation
import KingletGGUF
import KingletTestSupport
import KingletTokenizer
import Testing
@testable import KingletRuntime

/// `TokenLogprob` directly: log-softmax of the raw logits, the top alternatives and their order.
@Suite struct TokenLogprobTests {
    @Test func logSumExpIsStableAndExact() {
        let x: [Float] = [0.5, 0.25, 0.15, 0.1].map { logf($0) }
        #expect(abs(TokenLogprob.logSumExp(x)) < 1e-6)  // the probabilities sum to 1
        #expect(abs(TokenLogprob.logSumExp([1000, 1000]) - (1000 + logf(2))) < 1e-3)  // no overflow
        #expect(TokenLogprob.logSumExp([-.infinity, -.infinity]) == -.infinity)
        #expect(TokenLogprob.logSumExp([]) == 0)
    }

    @Test func largestIsOrderedWithTiesByLowerIndex() {
        let x: [Float] = [1, 3, 2, 3, -1, 2]
        #expect(TokenLogprob.largest(x, count: 3) == [1, 3, 2])
        #expect(TokenLogprob.largest(x, count: 10) == [1, 3, 2, 5, 0, 4])
        #expect(TokenLogprob.largest(x, count: 0) == [])
        #expect(TokenLogprob.largest(x, count: -2) == [])
    }

    @Test func entriesCarryLogprobsAndPiecesOfTheRealVocabulary() throws {
        let tokenizer = try Tokenizer(gguf: GGUFFile(path: try TestModelFiles.smolLM2Result.get()))
        let hello = try #require(tokenizer.encode("Hello", addSpecial: false).first)
        var logits = [Float](repeating: 0, count: tokenizer.vocabularySize)
        logits[Int(hello)] = 5
        logits[7] = 4
        let lp = TokenLogprob(token: 7, logits: logits, top: 2, tokenizer: tokenizer)
        let lse = TokenLogprob.logSumExp(logits)
        #expect(lp.chosen.token == 7 && abs(lp.chosen.logprob - (4 - lse)) < 1e-6)
        #expect(lp.top.map(\.token) == [hello, 7])
        #expect(lp.top[0].text == "Hello" && lp.top[0].logprob < 0)
        #expect(lp.top[0].logprob > lp.top[1].logprob)
    }
}
