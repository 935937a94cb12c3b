import Foundation
import KingletRuntime
import KingletTestSupport
import Testing

/// KL-divergence against saved references: a model against itself, top-k + tail against full
/// storage (with the bound), and llama.cpp's file layout written here from its description.
@Suite struct KLDivergenceTests {
    typealias F = MicroscopeFixtures

    static func save(_ engine: Engine, storage: LogitsFileHeader.Storage, context: Int = 16) throws -> String {
        let path = F.temporaryPath("logits")
        _ = try Perplexity(engine: engine, options: PerplexityOptions(context: context)).saveLogits(text: F.text, to: path, storage: storage)
        return path
    }

    static func compare(_ engine: Engine, _ path: String) throws -> LogitsComparisonResult {
        let p = try Perplexity(engine: engine, options: PerplexityOptions(context: 16))
        return try LogitsComparison(perplexity: p, reference: LogitsFileReader(path: path)).run()
    }

    @Test(arguments: [LogitsFileHeader.Storage.full, .topK(3)])
    func aModelAgainstItselfIsZero(storage: LogitsFileHeader.Storage) throws {
        let engine = try F.engine(TinyEngineFile.pathWithBOS)
        let path = try Self.save(engine, storage: storage)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let s = try Self.compare(engine, path).statistics
        #expect(s.count == 28)
        // Full storage rounds log-probabilities to 16 bits (≤ 1.2e-4 nats each).
        #expect(abs(s.kld.value) < 2e-4, "mean KLD \(s.kld.value)")
        #expect(s.kldPercentiles.allSatisfy { abs($0.value) < 5e-4 })
        #expect(s.sameTop.value == 1)
        #expect(abs(s.logRatio.value) < 2e-4 && abs(s.perplexity.value - s.basePerplexity.value) < 1e-3 * s.perplexity.value)
        #expect(abs(s.rmsDeltaP.value) < 1e-4)
    }

    /// Top-k + tail keeps k + 1 buckets; merging never raises a divergence, so its KLD is a lower
    /// bound of the full one, short by exactly p_tail · KL(P|tail ‖ Q|tail). Checked against
    /// Float64 from both models' logits; full storage within its 16-bit rounding (2e-4 nats).
    @Test func topKTailAgainstFullStorage() throws {
        let base = try F.engine(TinyEngineFile.path), other = try F.engine(TinyEngineFile.pathFlatter)
        let k = 3
        let full = try Self.save(base, storage: .full), top = try Self.save(base, storage: .topK(k))
        defer { for p in [full, top] { try? FileManager.default.removeItem(atPath: p) } }
        let fullKLD = try Self.compare(other, full).statistics, topKLD = try Self.compare(other, top).statistics

        let tokens = base.tokenizer.encode(F.text, addSpecial: true)
        let p = try F.scoredRows(base, tokens: tokens, context: 16, chunks: 4)
        let q = try F.scoredRows(other, tokens: tokens, context: 16, chunks: 4)
        var exact = 0.0, bucketed = 0.0, gap = 0.0
        for (pr, qr) in zip(p, q) {
            let lp = pr.logp, lq = qr.logp
            exact += zip(lp, lq).reduce(0) { $0 + exp($1.0) * ($1.0 - $1.1) }
            let topIDs = Set(lp.indices.sorted { lp[$0] > lp[$1] }.prefix(k))
            let tail = lp.indices.filter { !topIDs.contains($0) }
            let pTail = tail.reduce(0) { $0 + exp(lp[$1]) }, qTail = tail.reduce(0) { $0 + exp(lq[$1]) }
            let b = topIDs.reduce(0) { $0 + exp(lp[$1]) * (lp[$1] - lq[$1]) } + pTail * log(pTail / qTail)
            bucketed += b
            gap += tail.reduce(0) { $0 + exp(lp[$1]) / pTail * (lp[$1] - log(pTail) - (lq[$1] - log(qTail))) } * pTail
        }
        let n = Double(p.count)
        #expect(exact / n > 0.01, "the two models differ")
        #expect(abs(fullKLD.kld.value - exact / n) < 2e-4, "full \(fullKLD.kld.value) vs \(exact / n)")
        #expect(abs(topKLD.kld.value - bucketed / n) < 1e-5, "top-k \(topKLD.kld.value) vs \(bucketed / n)")
        #expect(topKLD.kld.value <= fullKLD.kld.value + 2e-4)
        #expect(abs((exact - bucketed) - gap) / n < 1e-9, "the gap is p_tail · KL of the tails")
        // Both keep the target's log-probability and the top token: the other figures agree.
        #expect(abs(topKLD.basePerplexity.value - fullKLD.basePerplexity.value) < 1e-3 * fullKLD.basePerplexity.value)
        #expect(topKLD.sameTop == fullKLD.sameTop)
    }

    @Test func topKRoundTrip() throws {
        let engine = try F.engine(TinyEngineFile.pathWithBOS)
        let path = try Self.save(engine, storage: .topK(4))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try LogitsFileReader(path: path)
        let tokens = engine.tokenizer.encode(F.text, addSpecial: true)
        #expect(r.header.storage == .topK(4) && r.header.format == .kinglet && r.header.context == 16 && r.header.chunkCount == 4)
        #expect(r.header.vocabularySize == 11 && r.tokens == Array(tokens.prefix(64)))
        #expect(r.header.textDigest == Digests.sha256(Array(F.text.utf8)))
        #expect(r.header.vocabularyDigest == LogitsFileWriter.vocabularyDigest(engine.tokenizer))
        #expect(r.header.modelName?.isEmpty == false)
        // Every stored row equals the Float64 top 4 of the model's log-softmax (to Float rounding).
        let rows = try F.scoredRows(engine, tokens: tokens, context: 16, chunks: 4)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let rowBytes = 8 + 8 * 4, start = bytes.count - rows.count * rowBytes
        for (i, row) in rows.enumerated() {
            let o = start + i * rowBytes
            func f(_ at: Int) -> Double { Double(Float(bitPattern: bytes[o + at ..< o + at + 4].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) })) }
            func id(_ j: Int) -> Int { Int(bytes[o + 8 + 4 * j ..< o + 12 + 4 * j].withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }) }
            let want = row.logp.indices.sorted { row.logp[$0] > row.logp[$1] }.prefix(4)
            #expect((0 ..< 4).map(id) == Array(want), "row \(i)")
            for (j, t) in want.enumerated() { #expect(abs(f(8 + 16 + 4 * j) - row.logp[t]) < 1e-4) }
            #expect(abs(f(0) - row.logp[row.target]) < 1e-4)
            let tail = row.logp.indices.filter { !want.contains($0) }.reduce(0) { $0 + exp(row.logp[$1]) }
            #expect(abs(f(4) - log(tail)) < 1e-3)
        }
    }
}
