import Foundation
import KingletTokenizer
import Testing

/// Encode/decode timings on SmolLM2, printed. Run in release with
/// `KINGLET_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter TokenizerBenchmark`.
@Suite("Tokenizer benchmark", .enabled(if: ProcessInfo.processInfo.environment["KINGLET_BENCH"] != nil,
                                       "set KINGLET_BENCH=1 (and build with -c release) to time the tokenizer"))
struct TokenizerBenchmark {
    @Test("encode and decode ~4 KB")
    func timings() throws {
        guard let tok = SmolLM2Fixture.tokenizer() else { return }
        let unit = GoldenCase.load(GoldenTokenizeTests.directory)
            .map { String(decoding: $0.text, as: UTF8.self) }.joined(separator: "\n")
        var mixed = ""
        while mixed.utf8.count < 4096 { mixed += unit + "\n" }
        let english = String(repeating: "The quick brown fox jumps over the lazy dog, and then it's gone; 42 times! ", count: 55)
        let clock = ContinuousClock()
        let rounds = 50
        for (name, text) in [("mixed", mixed), ("english", english)] {
            var count = tok.encode(text).count
            let t = clock.measure { for _ in 0 ..< rounds { count = tok.encode(text).count } }
            print("encode \(name): \(text.utf8.count) bytes → \(count) tokens in \(t / rounds)")
        }
        let ids = tok.encode(english)
        let d = clock.measure { for _ in 0 ..< rounds { _ = tok.decode(ids) } }
        print("decode \(ids.count) ids in \(d / rounds)")
        if let config = SmolLM2Fixture.configuration() {
            let b = clock.measure { _ = try? Tokenizer(config) }
            print("build the tokenizer from its configuration in \(b)")
        }
    }
}
