import KingletGGUF
import KingletTokenizer
import Testing

/// Reading `tokenizer.ggml.*` metadata, llama.cpp's defaults, and typed errors for bad files.
@Suite("Configuration from GGUF metadata")
struct ConfigurationTests {
    /// A GGUF holding a synthetic vocabulary's tokenizer metadata.
    static func writer(_ v: SyntheticVocab, model: String = "gpt2") -> GGUFWriter {
        var w = GGUFWriter()
        w.set("general.architecture", "llama")
        w.set("tokenizer.ggml.model", model)
        if let pre = v.pre { w.set("tokenizer.ggml.pre", pre) }
        w.set("tokenizer.ggml.tokens", strings: v.tokens)
        w.set("tokenizer.ggml.token_type", .array(.int32, v.types.map { .int32(Int32($0.rawValue)) }))
        w.set("tokenizer.ggml.merges", strings: v.configuration.merges)
        return w
    }

    @Test("a GGUF vocabulary loads and encodes")
    func loads() throws {
        var v = SyntheticVocab(merges: [("h", "i")], control: ["<|endoftext|>"])
        v.pre = "smollm"
        var w = Self.writer(v)
        w.set("tokenizer.ggml.eos_token_id", uint32: Int(v.controlID(0)))
        w.set("tokenizer.ggml.add_bos_token", .bool(false))
        let tok = try Tokenizer(gguf: parseGGUF(w))
        #expect(tok.encode("hi<|endoftext|>") == [v.mergeID(0), v.controlID(0)])
        #expect(tok.eos == v.controlID(0))
        #expect(tok.preTokenizerName == "smollm")
        #expect(tok.preTokenizerFamily == "smollm")
        #expect(tok.warnings.isEmpty)
    }

    @Test("gpt2 defaults: BOS = EOS = 11 when the file names none; no BOS added")
    func gpt2Defaults() throws {
        let tok = try Tokenizer(gguf: parseGGUF(Self.writer(SyntheticVocab())))
        #expect(tok.bos == 11)
        #expect(tok.eos == 11)
        #expect(!tok.addBOS)
        #expect(tok.encode("a") == [97])
        #expect(tok.endOfGeneration == [11])
    }

    @Test("an out-of-range special id is ignored with a warning")
    func badSpecialID() throws {
        var w = Self.writer(SyntheticVocab())
        w.set("tokenizer.ggml.eos_token_id", uint32: 100_000)
        let tok = try Tokenizer(gguf: parseGGUF(w))
        #expect(tok.eos == 11)  // the default stays
        #expect(tok.warnings.contains { $0.contains("eos_token_id") })
    }

    @Test("an unsupported tokenizer model is a typed error, not a crash")
    func unsupportedModel() throws {
        let file = try parseGGUF(Self.writer(SyntheticVocab(), model: "bert"))
        #expect(throws: TokenizerError.unsupportedModel("bert")) { try Tokenizer(gguf: file) }
        let message = TokenizerError.unsupportedModel("bert").errorDescription ?? ""
        #expect(message.contains("bert") && message.contains("gpt2"))
    }

    @Test("missing merges, missing tokens and short token types are typed errors")
    func missingPieces() throws {
        var w = GGUFWriter()
        w.set("tokenizer.ggml.model", "gpt2")
        w.set("tokenizer.ggml.tokens", strings: ["a", "b"])
        let noMerges = try parseGGUF(w)
        #expect(throws: TokenizerError.missing(key: "tokenizer.ggml.merges", reason: "a 'gpt2' BPE tokenizer needs its merges")) {
            try Tokenizer(gguf: noMerges)
        }

        var noTokens = GGUFWriter()
        noTokens.set("tokenizer.ggml.model", "gpt2")
        let tokenless = try parseGGUF(noTokens)
        #expect(throws: TokenizerError.metadata(.missingKey("tokenizer.ggml.tokens", expected: "an array of strings"))) {
            try Tokenizer(gguf: tokenless)
        }

        w.set("tokenizer.ggml.merges", strings: [])
        w.set("tokenizer.ggml.token_type", .array(.int32, [.int32(1)]))
        let shortTypes = try parseGGUF(w)
        #expect(throws: TokenizerError.lengthMismatch(key: "tokenizer.ggml.token_type", expected: 2, found: 1)) {
            try Tokenizer(gguf: shortTypes)
        }
    }

    @Test("plain-array configurations are checked too")
    func plainArrays() {
        #expect(throws: TokenizerError.emptyVocabulary) { try Tokenizer(TokenizerConfiguration(tokens: [])) }
        #expect(throws: TokenizerError.lengthMismatch(key: "tokenizer.ggml.token_type", expected: 2, found: 1)) {
            try Tokenizer(TokenizerConfiguration(tokens: ["a", "b"], tokenTypes: [.normal]))
        }
    }

    @Test("empty token texts are renamed as llama.cpp does; duplicates resolve to the last id")
    func oddTexts() throws {
        var config = SyntheticVocab().configuration
        config.tokens += ["", "dup", "dup"]
        config.tokenTypes! += [.normal, .normal, .normal]
        let tok = try Tokenizer(config)
        #expect(tok.tokenText(256) == "[EMPTY_256]")
        #expect(tok.id(forTokenText: "dup") == 258)
    }

    @Test("hostile merges do not crash: no space, empty sides, odd spacing")
    func hostileMerges() throws {
        var config = SyntheticVocab().configuration
        config.merges = ["", " ", "ab", "a  b", " a b", "Ġ Ġ Ġ", "\u{0} \u{0}", "🙂 🙂"]
        let tok = try Tokenizer(config)
        #expect(tok.decode(tok.encode("a  b 🙂")) == "a  b 🙂")
    }
}
