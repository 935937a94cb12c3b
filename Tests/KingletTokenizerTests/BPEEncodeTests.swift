import KingletTokenizer
import Testing

/// Merging on small synthetic vocabularies whose answers can be worked out by hand.
@Suite("BPE encoding (synthetic vocabularies)")
struct BPEEncodeTests {
    @Test("without merges every byte is its own token")
    func bytesOnly() throws {
        let tok = try SyntheticVocab().tokenizer()
        #expect(tok.encode("hi!") == byteIDs("hi!"))
        #expect(tok.encode("é") == [0xC3, 0xA9])
        #expect(tok.encode("😀") == [0xF0, 0x9F, 0x98, 0x80])
        #expect(tok.encode("\n\t ") == byteIDs("\n\t "))  // "\n", "\t ", as words, still bytes
    }

    @Test("the empty string gives no tokens, or just BOS when the vocabulary adds it")
    func emptyString() throws {
        #expect(try SyntheticVocab().tokenizer().encode("").isEmpty)
        var v = SyntheticVocab(control: ["<s>", "</s>"])
        v.special = SpecialTokenIDs(bos: v.controlID(0), eos: v.controlID(1))
        v.addBOS = true
        v.addEOS = true
        let tok = try v.tokenizer()
        #expect(tok.encode("") == [v.controlID(0), v.controlID(1)])
        #expect(tok.encode("", addSpecial: false).isEmpty)
        #expect(tok.encode("a") == [v.controlID(0), 97, v.controlID(1)])
    }

    @Test("lower-ranked merges apply first")
    func rankOrder() throws {
        let bc = SyntheticVocab(merges: [("b", "c"), ("a", "b")])
        #expect(try bc.tokenizer().encode("abc") == [97, bc.mergeID(0)])
        let ab = SyntheticVocab(merges: [("a", "b"), ("b", "c")])
        #expect(try ab.tokenizer().encode("abc") == [ab.mergeID(0), 99])
    }

    @Test("equal ranks merge leftmost first, and merged pieces merge again")
    func leftmostAndChained() throws {
        let v = SyntheticVocab(merges: [("a", "a"), ("aa", "aa"), ("aa", "a")])
        let tok = try v.tokenizer()
        #expect(tok.encode("aa") == [v.mergeID(0)])
        #expect(tok.encode("aaa") == [v.mergeID(2)])           // aa|a then (aa,a)
        #expect(tok.encode("aaaa") == [v.mergeID(1)])          // aa|aa then (aa,aa)
        #expect(tok.encode("aaaaa") == [v.mergeID(1), 97])     // aaaa|a: (aa,aa) outranks (aa,a)
    }

    @Test("merges never cross word boundaries")
    func wordBoundaries() throws {
        let v = SyntheticVocab(merges: [("a", " "), (" ", "b"), ("a", "b")])
        let tok = try v.tokenizer()
        // words: "a", " b" — (a, space) cannot fire across them
        #expect(tok.encode("a b") == [97, v.mergeID(1)])
        #expect(tok.encode("ab") == [v.mergeID(2)])
    }

    @Test("a merge whose result is not a token falls back to the bytes' printable-ASCII tokens")
    func fallback() throws {
        // The merge "x y" exists but "xy" is then removed from the vocabulary.
        let v = SyntheticVocab(merges: [("x", "y")])
        var config = v.configuration
        config.tokens[Int(v.mergeID(0))] = "unrelated"
        let tok = try Tokenizer(config)
        #expect(tok.encode("xy") == [120, 121])
        // Non-ASCII bytes have no one-byte encoded form, so llama.cpp drops them: merge the two
        // bytes of "é" (C3 A9) into a string that is not a token.
        let spelled = SyntheticVocab.spell("é")
        config = SyntheticVocab().configuration
        config.merges = [String(spelled.first!) + " " + String(spelled.last!)]
        #expect(try Tokenizer(config).encode("é").isEmpty)
        #expect(try Tokenizer(config).encode("xé") == [120])
    }

    @Test("multi-byte characters merge from their bytes")
    func multibyte() throws {
        // "é" is C3 A9: a merge of those two byte tokens gives one token.
        let spelled = SyntheticVocab.spell("é")  // two alphabet characters
        var config = SyntheticVocab().configuration
        config.tokens.append(spelled)
        config.tokenTypes?.append(.normal)
        config.merges = [String(spelled.first!) + " " + String(spelled.last!)]
        let tok = try Tokenizer(config)
        #expect(tok.encode("café") == [99, 97, 102, 256])
    }

    @Test("ignore_merges (Llama 3): a whole word in the vocabulary is used directly")
    func ignoreMerges() throws {
        // "abc" is a token but no merge path reaches it.
        var v = SyntheticVocab(merges: [("a", "b")])
        v.pre = "llama-bpe"
        v.addBOS = false
        var config = v.configuration
        config.tokens.append(SyntheticVocab.spell("abc"))
        config.tokenTypes?.append(.normal)
        let tok = try Tokenizer(config)
        #expect(tok.encode("abc") == [257])
        v.pre = "gpt-2"
        var plain = v.configuration
        plain.tokens.append(SyntheticVocab.spell("abc"))
        plain.tokenTypes?.append(.normal)
        #expect(try Tokenizer(plain).encode("abc") == [256, 99])
    }

    @Test("Llama 3 adds BOS by default; the file's add_bos_token wins")
    func llama3BOS() throws {
        var v = SyntheticVocab(control: ["<|begin_of_text|>"])
        v.pre = "llama-bpe"
        v.special = SpecialTokenIDs(bos: v.controlID(0))
        #expect(try v.tokenizer().encode("a") == [v.controlID(0), 97])
        v.addBOS = false
        #expect(try v.tokenizer().encode("a") == [97])
    }

    @Test("an unknown pre-tokenizer falls back to GPT-2's with a warning")
    func unknownPre() throws {
        var v = SyntheticVocab()
        v.pre = "brand-new-model"
        let tok = try v.tokenizer()
        #expect(tok.preTokenizerFamily == "gpt2")
        #expect(tok.preTokenizerIsFallback)
        #expect(tok.warnings.contains { $0.contains("brand-new-model") })
        v.pre = nil
        #expect(try v.tokenizer().warnings.contains { $0.contains("tokenizer.ggml.pre") })
        v.pre = "smollm"
        #expect(try v.tokenizer().warnings.isEmpty)
        #expect(try !v.tokenizer().preTokenizerIsFallback)
    }
}
