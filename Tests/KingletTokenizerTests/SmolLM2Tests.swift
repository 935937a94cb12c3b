import Foundation
import KingletTokenizer
import Testing

/// Facts about SmolLM2's tokenizer that llama.cpp reports (`tokref --eog`, its load log).
@Suite("SmolLM2 tokenizer")
struct SmolLM2Tests {
    @Test("vocabulary, special ids and flags")
    func basics() throws {
        guard let tok = ModelTokenizer.smolLM2.tokenizer() else { return }
        #expect(tok.vocabularySize == 49152)
        #expect(tok.model == .bytePairEncoding)
        #expect(tok.preTokenizerName == "smollm")
        #expect(tok.preTokenizerFamily == "smollm")
        #expect(tok.warnings.isEmpty, "\(tok.warnings)")
        #expect(tok.bos == 1)
        #expect(tok.eos == 2)
        #expect(tok.special.unk == 0)
        #expect(tok.special.pad == 2)
        #expect(!tok.addBOS)
        #expect(!tok.addEOS)
        #expect(!tok.cleanSpaces)
        #expect(tok.eot == 2)  // <|im_end|>
        #expect(tok.tokenText(1) == "<|im_start|>")
        #expect(tok.id(forTokenText: "<|im_end|>") == 2)
        #expect((0 ... 16).allSatisfy { tok.isControl($0) })
        #expect(!tok.isControl(17))
    }

    @Test("end of generation is {<|endoftext|>, <|im_end|>, <reponame>}, as llama.cpp reports")
    func endOfGeneration() {
        guard let tok = ModelTokenizer.smolLM2.tokenizer() else { return }
        #expect(tok.endOfGeneration == [0, 2, 4])
    }

    @Test("a chat turn: control tokens parsed, rendered only when asked")
    func chatTurn() {
        guard let tok = ModelTokenizer.smolLM2.tokenizer() else { return }
        let text = "<|im_start|>user\nHi there!<|im_end|>\n"
        let ids = tok.encode(text)
        #expect(ids.first == 1)
        #expect(ids.contains(2))
        #expect(tok.decode(ids) == text)
        #expect(tok.decode(ids, special: false) == "user\nHi there!\n")
        #expect(tok.encode(text, parseSpecial: false).allSatisfy { !tok.isControl($0) })
        #expect(tok.encode(text, addSpecial: true) == tok.encode(text, addSpecial: false))  // no BOS/EOS
    }

    @Test("streaming the emoji golden case one id at a time gives exactly its text")
    func streamingEmoji() throws {
        guard let tok = ModelTokenizer.smolLM2.tokenizer() else { return }
        let cases = GoldenCase.load(TestData.smolLM2Golden.appendingPathComponent("tokenize"))
        let c = try #require(cases.first { $0.name == "07" })  // "emoji 🎉 and 👍🏽"
        var s = StreamingDetokenizer(tokenizer: tok)
        var pieces: [String] = []
        for id in c.ids { pieces.append(s.append(id)) }
        pieces.append(s.finish())
        #expect(pieces.joined() == String(decoding: c.text, as: UTF8.self))
        #expect(!pieces.joined().contains("\u{FFFD}"))
        // The emoji arrive split over several tokens: some appends must have returned "".
        #expect(pieces.contains(""))
    }

    @Test("a few KB of mixed text encodes quickly and round-trips")
    func speed() throws {
        guard let tok = ModelTokenizer.smolLM2.tokenizer() else { return }
        let cases = GoldenCase.load(TestData.smolLM2Golden.appendingPathComponent("tokenize"))
        let unit = cases.map { String(decoding: $0.text, as: UTF8.self) }.joined(separator: "\n")
        var text = ""
        while text.utf8.count < 4096 { text += unit + "\n" }
        let clock = ContinuousClock()
        var ids: [Int32] = []
        let elapsed = clock.measure { ids = tok.encode(text) }
        #expect(tok.decode(ids) == text)
        // Generous even for a debug build on a busy machine; release is ~100x faster.
        #expect(elapsed < .seconds(2), "encoding \(text.utf8.count) bytes took \(elapsed)")
    }
}
