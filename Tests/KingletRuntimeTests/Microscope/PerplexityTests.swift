import Foundation
import KingletRuntime
import KingletTestSupport
import Testing

/// The method pinned on the tiny model against a Float64 reference computed here: chunks of
/// `context`, BOS substituted, the second half scored, llama.cpp's uncertainty.
@Suite struct PerplexityTests {
    typealias F = MicroscopeFixtures

    /// PPL and ± from scratch: exp(mean NLL) and PPL · sqrt((mean NLL² − mean²) / (n − 1)).
    static func reference(_ engine: Engine, tokens: [Int32], context: Int, chunks: Int) throws -> (ppl: Double, unc: Double, n: Int) {
        let nll = try F.scoredRows(engine, tokens: tokens, context: context, chunks: chunks).map { -$0.logp[$0.target] }
        let n = Double(nll.count)
        let mean = nll.reduce(0, +) / n
        let mean2 = nll.reduce(0) { $0 + $1 * $1 } / n
        let ppl = exp(mean)
        return (ppl, ppl * sqrt((mean2 - mean * mean) / (n - 1)), nll.count)
    }

    @Test func matchesTheFloat64ReferenceWithBOS() throws {
        let engine = try F.engine(TinyEngineFile.pathWithBOS)
        let perplexity = try Perplexity(engine: engine, options: PerplexityOptions(context: 16))
        let tokens = perplexity.tokens(for: F.text)
        #expect(tokens.first == TinyEngineFile.endOfGeneration && tokens.count == 76, "BOS first, then one token per letter")
        var seen: [PerplexityProgress] = []
        let result = try perplexity.run(tokens, progress: { seen.append($0) })
        // 76 tokens / 16 = 4 chunks, each scoring positions 8 ..< 15 (7 tokens).
        #expect(result.chunks == 4 && result.estimate.count == 28)
        let want = try Self.reference(engine, tokens: tokens, context: 16, chunks: 4)
        #expect(abs(result.estimate.perplexity - want.ppl) < 1e-4 * want.ppl, "\(result.estimate.perplexity) vs \(want.ppl)")
        #expect(abs(result.estimate.uncertainty - want.unc) < 1e-4 * want.unc, "\(result.estimate.uncertainty) vs \(want.unc)")
        #expect(seen.map(\.chunk) == [1, 2, 3, 4])
        let afterTwo = try Self.reference(engine, tokens: tokens, context: 16, chunks: 2)
        #expect(abs(seen[1].estimate.perplexity - afterTwo.ppl) < 1e-4 * afterTwo.ppl, "the running estimate covers the chunks done")
    }

    @Test func firstHalfAndOtherChunksDoNotCount() throws {
        // Changing a token in the first half of chunk 1 (not its first, which BOS replaces)
        // changes the scored logits through attention but is never itself scored.
        let engine = try F.engine(TinyEngineFile.pathWithBOS)
        let perplexity = try Perplexity(engine: engine, options: PerplexityOptions(context: 16, chunks: 2))
        var tokens = perplexity.tokens(for: F.text)
        let base = try perplexity.run(tokens)
        tokens[16] = (tokens[16] + 1) % 10   // chunk 1's first token: replaced by BOS, no effect
        #expect(try perplexity.run(tokens).estimate == base.estimate)
        tokens[70] = (tokens[70] + 1) % 10   // chunk 4, beyond --chunks 2
        #expect(try perplexity.run(tokens).estimate == base.estimate)
        let want = try Self.reference(engine, tokens: tokens, context: 16, chunks: 2)
        #expect(abs(base.estimate.perplexity - want.ppl) < 1e-4 * want.ppl)
    }

    @Test(arguments: [5, 16, 32, 64])
    func batchSizeDoesNotChangeTheResult(batch: Int) throws {
        let engine = try F.engine(TinyEngineFile.pathWithBOS)
        let one = try Perplexity(engine: engine, options: PerplexityOptions(context: 16))
        let other = try Perplexity(engine: engine, options: PerplexityOptions(context: 16, batch: batch))
        let tokens = one.tokens(for: F.text)
        let a = try one.run(tokens).estimate, b = try other.run(tokens).estimate
        #expect(abs(a.perplexity - b.perplexity) < 1e-4 * a.perplexity && a.count == b.count, "batch \(batch)")
    }

    @Test func withoutBOSTheTextIsScoredAsIs() throws {
        let engine = try F.engine(TinyEngineFile.path)
        let perplexity = try Perplexity(engine: engine, options: PerplexityOptions(context: 16))
        let tokens = perplexity.tokens(for: F.text)
        #expect(tokens.count == 75)
        let result = try perplexity.run(tokens)
        let want = try Self.reference(engine, tokens: tokens, context: 16, chunks: 4)
        #expect(abs(result.estimate.perplexity - want.ppl) < 1e-4 * want.ppl)
    }

    @Test func refusals() throws {
        let engine = try F.engine(TinyEngineFile.path)
        let p = try Perplexity(engine: engine, options: PerplexityOptions(context: 16))
        #expect(throws: MicroscopeError.textTooShort(tokens: 31, context: 16)) { try p.run(p.tokens(for: String(F.text.prefix(31)))) }
        #expect(throws: MicroscopeError.contextExceedsModel(context: 128, model: 64)) {
            try Perplexity(engine: engine, options: PerplexityOptions(context: 128))
        }
        #expect(throws: MicroscopeError.contextTooSmall(context: 3)) { try Perplexity(engine: engine, options: PerplexityOptions(context: 3)) }
        #expect(throws: MicroscopeError.cancelled) { try p.run(p.tokens(for: F.text), isCancelled: { true }) }
    }

    @Test func streamsChunksThenTheResult() async throws {
        let engine = try F.engine(TinyEngineFile.path)
        let p = try Perplexity(engine: engine, options: PerplexityOptions(context: 16))
        var chunks = 0
        var finished: PerplexityResult?
        for try await event in p.events(p.tokens(for: F.text)) {
            switch event {
            case .chunk: chunks += 1
            case .finished(let r): finished = r
            }
        }
        #expect(chunks == 4 && finished?.chunks == 4)
    }
}
