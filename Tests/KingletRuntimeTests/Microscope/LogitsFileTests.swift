import Foundation
import KingletGGUF
import KingletRuntime
import KingletTestSupport
import Testing

/// Logits files: llama.cpp's layout read (written here from its description in
/// tools/perplexity/perplexity.cpp), mismatches as typed errors, damage refused.
@Suite struct LogitsFileTests {
    typealias F = MicroscopeFixtures

    static func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }

    /// One row as llama.cpp's `log_softmax(n_vocab, logits, log_prob, tok)` writes it: scale,
    /// minimum, then round((l − min) / scale) for logits above min = max(min l, max l − 16).
    static func llamaRow(_ l: [Float]) -> [UInt8] {
        let hi = l.max()!, lo = max(l.min()!, hi - 16)
        let sum = l.reduce(0.0) { $0 + Double(expf($1 - hi)) }
        let minimum = lo - hi - Float(log(sum)), scale = (hi - lo) / 65535
        var out = le(scale.bitPattern) + le(minimum.bitPattern)
        for v in l { out += le(v > lo ? UInt16((1 / scale * (v - lo)).rounded(.toNearestOrEven)) : 0) }
        while out.count < (2 * ((l.count + 1) / 2) + 4) * 2 { out.append(0) }
        return out
    }

    /// A `--kl-divergence-base` file of `engine` over the text: "_logits_", n_ctx, n_vocab,
    /// n_chunk, the tokens, then each chunk's scored rows.
    static func llamaFile(_ engine: Engine, context: Int = 16, vocabulary: Int? = nil) throws -> (path: String, rows: [UInt8]) {
        let tokens = engine.tokenizer.encode(F.text, addSpecial: true)
        let chunks = tokens.count / context
        var bytes = Array("_logits_".utf8) + le(UInt32(context)) + le(Int32(vocabulary ?? 11)) + le(Int32(chunks))
        for t in tokens.prefix(chunks * context) { bytes += le(t) }
        var rows: [UInt8] = []
        for c in 0 ..< chunks {
            let all = try F.chunkLogits(engine, tokens: tokens, chunk: c, context: context)
            for p in context / 2 ..< context - 1 { rows += llamaRow(all[p].map { Float($0) }) }
        }
        let path = F.temporaryPath("llama-logits")
        try Data(bytes + rows).write(to: URL(fileURLWithPath: path))
        return (path, rows)
    }

    @Test func readsLlamaCppFilesAndWritesTheSameRows() throws {
        let engine = try F.engine(TinyEngineFile.pathWithBOS)
        let (path, rows) = try Self.llamaFile(engine)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try LogitsFileReader(path: path)
        #expect(reader.header == LogitsFileHeader(format: .llamaCpp, storage: .full, context: 16, vocabularySize: 11, chunkCount: 4))
        let p = try Perplexity(engine: engine, options: PerplexityOptions(context: 16))
        let comparison = try LogitsComparison(perplexity: p, reference: reader)
        try comparison.check(text: F.text)
        let s = try comparison.run().statistics
        #expect(s.count == 28 && abs(s.kld.value) < 2e-4 && s.sameTop.value == 1)
        let want = try PerplexityTests.reference(engine, tokens: engine.tokenizer.encode(F.text, addSpecial: true), context: 16, chunks: 4)
        #expect(abs(s.basePerplexity.value - want.ppl) < 1e-3 * want.ppl, "PPL(base) from the 16-bit rows")
        // Kinglet's full storage holds llama.cpp's rows byte for byte.
        let saved = F.temporaryPath("kinglet-logits")
        defer { try? FileManager.default.removeItem(atPath: saved) }
        _ = try p.saveLogits(text: F.text, to: saved, storage: .full)
        let ours = try Data(contentsOf: URL(fileURLWithPath: saved))
        let differing = zip(ours.suffix(rows.count), rows).filter { $0 != $1 }.count
        #expect(differing <= rows.count / 1000, "\(differing) of \(rows.count) bytes differ (f16 cache rounding may flip a last bit)")
    }

    @Test func mismatchesAreTypedErrors() throws {
        let engine = try F.engine(TinyEngineFile.pathWithBOS)
        let p = try Perplexity(engine: engine, options: PerplexityOptions(context: 16))
        let (wide, _) = try Self.llamaFile(engine, vocabulary: 12)
        defer { try? FileManager.default.removeItem(atPath: wide) }
        // A vocabulary of 12 makes rows longer: rewrite the file to its consistent size first.
        let h = 20 + 64 * 4, rowBytes = (2 * 6 + 4) * 2
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: wide)).prefix(h))
        bytes += [UInt8](repeating: 0, count: 28 * rowBytes)
        try Data(bytes).write(to: URL(fileURLWithPath: wide))
        #expect(throws: MicroscopeError.vocabularyMismatch(path: wide, file: 12, model: 11, detail: "")) {
            try LogitsComparison(perplexity: p, reference: LogitsFileReader(path: wide))
        }

        let saved = try KLDivergenceTests.save(engine, storage: .topK(2))
        defer { try? FileManager.default.removeItem(atPath: saved) }
        let reader = try LogitsFileReader(path: saved)
        #expect(throws: MicroscopeError.textMismatch(path: saved, detail: "its SHA-256 differs")) {
            try LogitsComparison(perplexity: p, reference: reader).check(text: F.text + "a")
        }
        var patched = Array(try Data(contentsOf: URL(fileURLWithPath: saved)))
        patched[64] ^= 0xFF   // the vocabulary digest
        try Data(patched).write(to: URL(fileURLWithPath: saved))
        #expect(throws: MicroscopeError.vocabularyMismatch(path: saved, file: 11, model: 11, detail: "same size, different tokens")) {
            try LogitsComparison(perplexity: p, reference: LogitsFileReader(path: saved))
        }
    }

    @Test func llamaCppFilesAreCheckedAgainstTheTextsTokens() throws {
        let engine = try F.engine(TinyEngineFile.pathWithBOS)
        let (path, _) = try Self.llamaFile(engine)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let c = try LogitsComparison(perplexity: Perplexity(engine: engine, options: PerplexityOptions(context: 16)), reference: LogitsFileReader(path: path))
        let other = String(F.text.reversed())
        #expect(throws: MicroscopeError.self) { try c.check(text: other) }
    }

    /// Every truncation, a wrong magic, an unknown version, impossible sizes, tokens and ids
    /// outside the vocabulary: each refused with an error, none read out of bounds.
    @Test func damagedFilesAreRefused() throws {
        let engine = try F.engine(TinyEngineFile.pathWithBOS)
        let saved = try KLDivergenceTests.save(engine, storage: .topK(2))
        let (llama, _) = try Self.llamaFile(engine)
        let scratch = F.temporaryPath("damaged")
        defer { for p in [saved, llama, scratch] { try? FileManager.default.removeItem(atPath: p) } }
        func refused(_ bytes: [UInt8]) -> MicroscopeError? {
            try? Data(bytes).write(to: URL(fileURLWithPath: scratch))
            do { _ = try LogitsFileReader(path: scratch); return nil } catch { return error }
        }
        for good in [saved, llama] {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: good)))
            #expect(refused(bytes) == nil)
            for n in Array(0 ..< 200) + [bytes.count - 1] { #expect(refused(Array(bytes.prefix(n))) != nil, "\(good) cut to \(n)") }
            #expect(refused(bytes + [0]) != nil, "a trailing byte")
        }
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: saved)))
        func patched(_ at: Int, _ value: [UInt8]) -> [UInt8] { var b = bytes; b.replaceSubrange(at ..< at + value.count, with: value); return b }
        #expect(refused(patched(0, Array("XXXXXXXX".utf8))) == .file(FileError(scratch, .logits, .notThisFormat)))
        #expect(refused(patched(8, Self.le(UInt32(99)))) == .file(FileError(scratch, .logits, .unsupportedVersion(found: 99, reads: LogitsFileHeader.version))))
        #expect(refused(patched(12, Self.le(UInt32(7)))) == .file(FileError(scratch, .logits, .damaged("unknown storage 7"))))
        #expect(refused(patched(16, Self.le(UInt32(12)))) == .file(FileError(scratch, .logits, .damaged("top-12 storage for a vocabulary of 11"))))
        if case .file(let e) = refused(patched(28, Self.le(UInt32(1 << 24)))), case .sizeMismatch = e.problem {} else { Issue.record("16M chunks in a small file") }
        let nameLength = Int(bytes[96]), tokensAt = (100 + nameLength + 3) / 4 * 4
        #expect(refused(patched(tokensAt + 8, Self.le(Int32(11)))) == .file(FileError(scratch, .logits, .damaged("token 11 at position 2 is outside the vocabulary of 11"))))
        let rowsAt = tokensAt + 64 * 4
        #expect(refused(patched(rowsAt + 8, Self.le(Int32(500)))) == .file(FileError(scratch, .logits, .damaged("row 0 of chunk 0 names a token outside the vocabulary"))))
        #expect(refused([]) == .file(FileError(scratch, .logits, .notThisFormat)) || refused([]) != nil)
    }
}
