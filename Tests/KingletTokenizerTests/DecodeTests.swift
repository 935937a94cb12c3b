@testable import KingletTokenizer
import Testing

/// Pieces and decoding, as llama.cpp's `token_to_piece` and `detokenize`.
@Suite("Decoding")
struct DecodeTests {
    @Test("the byte alphabet is GPT-2's, and decoding undoes it")
    func alphabet() throws {
        for b in 0 ..< 256 {
            #expect(String(ByteLevel.encoder[b]) == String(SyntheticVocab.alphabet[b]))
        }
        #expect(ByteLevel.encoder[32] == "Ġ")
        #expect(ByteLevel.encoder[10] == "Ċ")
        let tok = try SyntheticVocab().tokenizer()
        for b in 0 ..< 256 { #expect(tok.piece(Int32(b)) == [UInt8(b)]) }
    }

    @Test("round trip of unicode, emoji and whitespace")
    func roundTrip() throws {
        let tok = try SyntheticVocab(merges: [(" ", "t"), ("h", "e"), (" t", "he")]).tokenizer()
        for text in ["", "the theme", "  \t\n x", "naïve 中文 😀👍🏽 👨‍👩‍👧‍👦", "\u{0}\u{7f}\u{85}"] {
            #expect(tok.decode(tok.encode(text)) == text)
        }
    }

    @Test("control tokens render only with special; user-defined always")
    func specialRendering() throws {
        let v = SpecialTokenTests.chat
        let tok = try v.tokenizer()
        let ids = tok.encode("<|im_start|>hi<tool><|im_end|>")
        #expect(tok.decode(ids) == "<|im_start|>hi<tool><|im_end|>")
        #expect(tok.decode(ids, special: false) == "hi<tool>")
        #expect(tok.piece(v.controlID(1)) == Array("<|im_end|>".utf8))
        #expect(tok.piece(v.controlID(1), special: false) == [])
        #expect(tok.piece(-3) == [])
        #expect(tok.piece(1_000_000) == [])
    }

    @Test("invalid UTF-8 from lone bytes decodes to U+FFFD")
    func invalidBytes() throws {
        let tok = try SyntheticVocab().tokenizer()
        #expect(tok.decode([0xF0, 0x9F]) == "\u{FFFD}")
        #expect(tok.decodeBytes([0xF0, 0x9F]) == [0xF0, 0x9F])
        #expect(tok.decode([0x61, 0xFF, 0x62]) == "a\u{FFFD}b")
    }

    @Test("byte tokens (<0x0A>) and unused tokens")
    func tokenTypes() throws {
        var config = SyntheticVocab().configuration
        config.tokens += ["<0x0A>", "<0xE2>", "[unused]", "plain▁text"]
        config.tokenTypes! += [.byte, .byte, .unused, .undefined]
        let tok = try Tokenizer(config)
        #expect(tok.piece(256) == [0x0A])
        #expect(tok.piece(257) == [0xE2])
        #expect(tok.piece(258) == [])
        #expect(tok.piece(259) == [])
    }

    @Test("a vocabulary text outside the byte alphabet decodes as llama.cpp's [UNK_BYTE_...]")
    func unknownScalar() throws {
        var config = SyntheticVocab().configuration
        config.tokens.append("a b")  // a literal space is not in the alphabet
        config.tokenTypes!.append(.normal)
        let tok = try Tokenizer(config)
        #expect(tok.decode([256]) == "a[UNK_BYTE_0x20a b]b")
    }

    @Test("clean_spaces (GPT-2 style vocabularies) tidies spaces before punctuation")
    func cleanSpaces() throws {
        func clean(_ s: String) -> String {
            var b = Array(s.utf8)
            Tokenizer.cleanUpSpaces(&b)
            return String(decoding: b, as: UTF8.self)
        }
        #expect(clean("Hello , world !") == "Hello, world!")
        #expect(clean("what ? yes .") == "what? yes.")
        #expect(clean("rock ' n") == "rock'n")
        #expect(clean("it 's I 'm we 're they 've") == "it's I'm we're they've")
        #expect(clean("don 't you 'd we 'll") == "don 't you 'd we 'll")
        #expect(clean("") == "")
        #expect(clean(" ,") == ",")

        let gpt2 = try SyntheticVocab().tokenizer()
        #expect(gpt2.cleanSpaces)
        #expect(gpt2.decode(gpt2.encode("a , b")) == "a, b")
        var smol = SyntheticVocab()
        smol.pre = "smollm"
        let s = try smol.tokenizer()
        #expect(!s.cleanSpaces)
        #expect(s.decode(s.encode("a , b")) == "a , b")
    }
}
