import KingletTokenizer
import Testing

/// SentencePiece (`tokenizer.ggml.model = "llama"`) on a hand-made vocabulary.
@Suite("SentencePiece (synthetic)")
struct SentencePieceTests {
    /// ids: 0 <unk>, 1 <s>, 2 </s>, 3...258 <0x00>...<0xFF>, then pieces with scores.
    static func tokenizer(addSpacePrefix: Bool? = nil) throws -> Tokenizer {
        var tokens = ["<unk>", "<s>", "</s>"]
        var types: [TokenType] = [.unknown, .control, .control]
        for b in 0 ..< 256 {
            tokens.append("<0x" + String(b, radix: 16, uppercase: true).leftPadded(2) + ">")
            types.append(.byte)
        }
        var scores = [Float](repeating: 0, count: tokens.count)
        let pieces: [(String, Float)] = [("▁", -1), ("h", -2), ("e", -2), ("l", -2), ("o", -2),
                                         ("▁h", -3), ("ll", -4), ("▁he", -4.5), ("llo", -5), ("▁hello", -6), ("he", -7)]
        for (p, s) in pieces { tokens.append(p); types.append(.normal); scores.append(s) }
        return try Tokenizer(TokenizerConfiguration(
            model: .sentencePiece, tokens: tokens, tokenTypes: types, scores: scores, preTokenizer: nil,
            special: SpecialTokenIDs(bos: 1, eos: 2, unk: 0), addSpacePrefix: addSpacePrefix))
    }

    static func id(_ tok: Tokenizer, _ text: String) -> Int32 { tok.id(forTokenText: text)! }

    @Test("adds BOS and a leading space, merges by score")
    func encode() throws {
        let tok = try Self.tokenizer()
        #expect(tok.addBOS)
        #expect(tok.encode("hello") == [1, Self.id(tok, "▁hello")])
        // "hel": ▁h (-3) beats he (-7), then ▁h+e; "▁hel" is no token
        let expected: [Int32] = [Self.id(tok, "▁he"), Self.id(tok, "l")]
        #expect(tok.encode("hel", addSpecial: false) == expected)
    }

    @Test("characters that are no token fall back to <0xXX> byte tokens")
    func byteFallback() throws {
        let tok = try Self.tokenizer()
        // "é" = C3 A9 → <0xC3> <0xA9> (ids 3 + byte)
        let expected: [Int32] = [Self.id(tok, "▁"), 3 + 0xC3, 3 + 0xA9]
        #expect(tok.encode("é", addSpecial: false) == expected)
        // llama.cpp drops the prefixed space only from the first piece, which here is BOS.
        #expect(tok.decode(tok.encode("hé llo")) == "<s> hé llo")
        #expect(tok.decode(tok.encode("hé llo"), special: false) == " hé llo")
        #expect(tok.decode(tok.encode("hé llo", addSpecial: false)) == "hé llo")
    }

    @Test("text after a special token gets the space prefix again")
    func afterSpecial() throws {
        let tok = try Self.tokenizer()
        #expect(tok.encode("</s>hello", addSpecial: false) == [2, Self.id(tok, "▁hello")])
    }

    @Test("add_space_prefix false: no leading space")
    func noPrefix() throws {
        let tok = try Self.tokenizer(addSpacePrefix: false)
        #expect(tok.encode("he", addSpecial: false) == [Self.id(tok, "he")])
        #expect(tok.encode("ohe", addSpecial: false) == [Self.id(tok, "o"), Self.id(tok, "he")])
        #expect(tok.decode([Self.id(tok, "▁hello")]) == " hello")
    }
}

extension String {
    fileprivate func leftPadded(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}

extension SentencePieceTests {
    @Test("streaming keeps the space of a leading ▁ (a stream continues a prompt)")
    func streamingKeepsSpace() throws {
        let tok = try Self.tokenizer()
        var s = StreamingDetokenizer(tokenizer: tok)
        #expect(s.append(Self.id(tok, "▁hello")) == " hello")
        #expect(tok.decode([Self.id(tok, "▁hello")]) == "hello")
    }
}
