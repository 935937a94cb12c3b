import KingletTokenizer
import Testing

/// Special tokens cut out of text (llama.cpp's `tokenizer_st_partition`) and the
/// end-of-generation set.
@Suite("Special tokens")
struct SpecialTokenTests {
    static let chat = SyntheticVocab(control: ["<|im_start|>", "<|im_end|>"], userDefined: ["<tool>"])

    @Test("a special token's text at a literal offset stays text; elsewhere it is still cut out")
    func literalOffsets() throws {
        let v = Self.chat
        let tok = try v.tokenizer()
        let start = v.controlID(0), end = v.controlID(1)
        let text = "<|im_start|>x<|im_end|>"
        #expect(tok.encode(text, addSpecial: false, literalAt: [0]) == byteIDs("<|im_start|>x") + [end])
        #expect(tok.encode(text, addSpecial: false, literalAt: [13]) == [start] + byteIDs("x<|im_end|>"))
        #expect(tok.encode(text, addSpecial: false, literalAt: [1, 2]) == [start] + byteIDs("x") + [end])
        // a user-defined token is plain text at a literal offset too
        #expect(tok.encode("<tool>", addSpecial: false, literalAt: [0]) == byteIDs("<tool>"))
        // a later occurrence of the same text is still a token
        #expect(tok.encode("<|im_end|><|im_end|>", addSpecial: false, literalAt: [0]) == byteIDs("<|im_end|>") + [end])
    }

    @Test("every occurrence of special-token text is found, overlapping ones included")
    func occurrences() throws {
        let tok = try Self.chat.tokenizer()
        #expect(tok.specialTokenOccurrences(in: "a<|im_start|>b<tool><|im_end|>") == [1, 14, 20])
        #expect(tok.specialTokenOccurrences(in: "no specials < | >") == [])
        #expect(tok.specialTokenOccurrences(in: "") == [])
    }

    @Test("control tokens in text become single tokens when parsing special tokens")
    func inText() throws {
        let v = Self.chat
        let tok = try v.tokenizer()
        let start = v.controlID(0), end = v.controlID(1)
        #expect(tok.encode("<|im_start|>") == [start])
        #expect(tok.encode("<|im_start|>hi<|im_end|>") == [start, 104, 105, end])
        #expect(tok.encode("<|im_end|><|im_end|>") == [end, end])
        #expect(tok.encode("a <|im_end|> b") == byteIDs("a ") + [end] + byteIDs(" b"))
    }

    @Test("text right next to a special token is split on its own")
    func adjacent() throws {
        let v = Self.chat
        let tok = try v.tokenizer()
        // "x  " alone: "x", "  " (no following non-space inside the fragment)
        #expect(tok.encode("x  <|im_end|>") == byteIDs("x  ") + [v.controlID(1)])
        #expect(tok.encode("<<|im_end|>>") == [60, v.controlID(1), 62])
        #expect(tok.encode("<|im_start") == byteIDs("<|im_start"))
    }

    @Test("with parseSpecial false control tokens are plain text, user-defined ones still cut")
    func parseSpecialOff() throws {
        let v = Self.chat
        let tok = try v.tokenizer()
        #expect(tok.encode("<|im_end|>", parseSpecial: false) == byteIDs("<|im_end|>"))
        #expect(tok.encode("a<tool>b", parseSpecial: false) == [97, v.userDefinedID(0), 98])
        #expect(tok.encode("a<tool>b") == [97, v.userDefinedID(0), 98])
    }

    @Test("longer special tokens are cut first, over the whole text")
    func longestFirst() throws {
        let v = SyntheticVocab(control: ["ab", "bcd"])
        let tok = try v.tokenizer()
        // llama.cpp tries "bcd" (longer) everywhere before "ab": "a" + bcd, not ab + "cd".
        #expect(tok.encode("abcd") == [97, v.controlID(1)])
        #expect(tok.encode("abab") == [v.controlID(0), v.controlID(0)])
    }

    @Test("end of generation: EOS, EOT-like texts, FIM pad/repo/separator")
    func endOfGeneration() throws {
        var v = SyntheticVocab(control: ["<|endoftext|>", "<|im_start|>"],
                               userDefined: ["<|im_end|>", "<fim_pad>", "<|file_sep|>", "<end_of_turn>"])
        v.special = SpecialTokenIDs(eos: v.controlID(0))
        let tok = try v.tokenizer()
        let expected = Set([v.controlID(0)] + (0 ..< 4).map { v.userDefinedID($0) })
        #expect(tok.endOfGeneration == expected)
        #expect(!tok.isEndOfGeneration(v.controlID(1)))
        // Tokens detected by text become control even if the file says otherwise.
        #expect(tok.isControl(v.userDefinedID(0)))
        #expect(tok.eot == v.userDefinedID(0))  // <|im_end|> (EOT candidates in llama.cpp's order)
        #expect(tok.special.fimPad == v.userDefinedID(1))
        #expect(tok.special.fimSep == v.userDefinedID(2))
    }

    @Test("<|end|> stops being end-of-generation when <|return|> and <|call|> exist (gpt-oss)")
    func harmony() throws {
        let v = SyntheticVocab(control: ["<|end|>", "<|return|>", "<|call|>", "<|channel|>"])
        let tok = try v.tokenizer()
        #expect(tok.endOfGeneration == [v.controlID(1), v.controlID(2)])
        #expect(!tok.isControl(v.controlID(0)))  // now user-defined: always rendered
        #expect(tok.attributes(v.controlID(3)) == .userDefined)
    }

    @Test("Phi-3 (by general.name) strips whitespace after special tokens, except <s> and <unk>")
    func phi3RightStrip() throws {
        let v = SyntheticVocab(control: ["<s>", "<|user|>"], userDefined: ["</s>"])
        var config = v.configuration
        config.modelName = "Phi-3-mini"
        let tok = try Tokenizer(config)
        let user = v.controlID(1), end = v.userDefinedID(0), bos = v.controlID(0)
        #expect(tok.encode("<|user|>\n hi </s> \tx") == [user, 104, 105, 32, end, 120])
        #expect(tok.encode("<s> a") == [bos] + byteIDs(" a"))
        config.modelName = "SmolLM2"
        #expect(try Tokenizer(config).encode("<|user|>\n hi") == [user] + byteIDs("\n hi"))
    }

    @Test("lookups by id and by text")
    func lookups() throws {
        let v = Self.chat
        let tok = try v.tokenizer()
        #expect(tok.vocabularySize == 256 + 3)
        #expect(tok.id(forTokenText: "<|im_end|>") == v.controlID(1))
        #expect(tok.id(forTokenText: "Ġ") == 32)
        #expect(tok.id(forTokenText: "nope") == nil)
        #expect(tok.tokenText(32) == "Ġ")
        #expect(tok.tokenText(-1) == nil)
        #expect(tok.tokenText(Int32(tok.vocabularySize)) == nil)
        #expect(tok.isControl(v.controlID(0)))
        #expect(!tok.isControl(97))
        #expect(!tok.isControl(99_999))
    }
}
