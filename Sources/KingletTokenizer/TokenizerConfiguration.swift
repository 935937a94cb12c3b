/// The tokenizer family, from `tokenizer.ggml.model`.
public enum TokenizerModelKind: String, Sendable {
    /// Byte-level BPE with merges (`gpt2`): GPT-2, Llama 3, Qwen, SmolLM, ...
    case bytePairEncoding = "gpt2"
    /// SentencePiece BPE with scores (`llama`): Llama 2, Mistral v1, Gemma 1-3, TinyLlama, ...
    case sentencePiece = "llama"
}

/// Ids of the special tokens a vocabulary names explicitly. `nil` means "not set"; llama.cpp then
/// detects some of them (end of turn, fill-in-the-middle) from the token texts.
public struct SpecialTokenIDs: Sendable, Equatable {
    /// Beginning of sequence.
    public var bos: Int32?
    /// End of sequence.
    public var eos: Int32?
    /// End of turn (`<|im_end|>`, `<|eot_id|>`).
    public var eot: Int32?
    /// End of message (`<|eom_id|>`).
    public var eom: Int32?
    /// Unknown-text placeholder.
    public var unk: Int32?
    /// Separator.
    public var sep: Int32?
    /// Padding.
    public var pad: Int32?
    /// Mask.
    public var mask: Int32?
    /// Fill-in-the-middle prefix.
    public var fimPre: Int32?
    /// Fill-in-the-middle suffix.
    public var fimSuf: Int32?
    /// Fill-in-the-middle middle.
    public var fimMid: Int32?
    /// Fill-in-the-middle padding (ends generation).
    public var fimPad: Int32?
    /// Fill-in-the-middle repository name (ends generation).
    public var fimRep: Int32?
    /// Fill-in-the-middle file separator (ends generation).
    public var fimSep: Int32?

    /// Ids as given; `nil` leaves one unset.
    public init(
        bos: Int32? = nil, eos: Int32? = nil, eot: Int32? = nil, eom: Int32? = nil,
        unk: Int32? = nil, sep: Int32? = nil, pad: Int32? = nil, mask: Int32? = nil,
        fimPre: Int32? = nil, fimSuf: Int32? = nil, fimMid: Int32? = nil,
        fimPad: Int32? = nil, fimRep: Int32? = nil, fimSep: Int32? = nil
    ) {
        self.bos = bos; self.eos = eos; self.eot = eot; self.eom = eom
        self.unk = unk; self.sep = sep; self.pad = pad; self.mask = mask
        self.fimPre = fimPre; self.fimSuf = fimSuf; self.fimMid = fimMid
        self.fimPad = fimPad; self.fimRep = fimRep; self.fimSep = fimSep
    }
}

/// Everything a `Tokenizer` is built from, as plain values.
///
/// `Tokenizer(gguf:)` fills one from a model file; tests build small synthetic ones directly.
public struct TokenizerConfiguration: Sendable {
    /// The tokenizer family (`tokenizer.ggml.model`).
    public var model: TokenizerModelKind
    /// Token texts, indexed by id. For byte-level BPE they are in GPT-2's byte-to-unicode alphabet
    /// (`Ġ` for a space byte, `Ċ` for a newline byte, ...).
    public var tokens: [String]
    /// Token types, parallel to `tokens`; `nil` means every token is `.normal`.
    public var tokenTypes: [TokenType]?
    /// SentencePiece scores, parallel to `tokens` (ignored by BPE; `nil` means all zero).
    public var scores: [Float]?
    /// BPE merges, `"left right"`, highest priority first (ignored by SentencePiece).
    public var merges: [String]
    /// The pre-tokenizer name (`tokenizer.ggml.pre`): `smollm`, `gpt-2`, `llama-bpe`, `qwen2`, ...
    public var preTokenizer: String?
    /// Special-token ids as the file gives them (after llama.cpp's per-family defaults).
    public var special: SpecialTokenIDs
    /// Add BOS when encoding with `addSpecial`; `nil` uses llama.cpp's default for this model.
    public var addBOS: Bool?
    /// Add EOS when encoding with `addSpecial`; `nil` means no.
    public var addEOS: Bool?
    /// SentencePiece: prefix text with a space; also strips one leading space when decoding.
    /// `nil` means true for SentencePiece and false for BPE.
    public var addSpacePrefix: Bool?
    /// `general.name`: llama.cpp keys a few per-token rules on it (Phi-3 strips whitespace
    /// after its special tokens).
    public var modelName: String?
    /// `general.architecture`, for the same kind of rules.
    public var architecture: String?
    /// Warnings gathered while reading the configuration (bad ids, ...), shown by the CLI.
    public var warnings: [String]

    /// A configuration from plain values; everything but the tokens has a default.
    public init(
        model: TokenizerModelKind = .bytePairEncoding,
        tokens: [String],
        tokenTypes: [TokenType]? = nil,
        scores: [Float]? = nil,
        merges: [String] = [],
        preTokenizer: String? = "gpt-2",
        special: SpecialTokenIDs = SpecialTokenIDs(),
        addBOS: Bool? = nil,
        addEOS: Bool? = nil,
        addSpacePrefix: Bool? = nil,
        modelName: String? = nil,
        architecture: String? = nil,
        warnings: [String] = []
    ) {
        self.model = model
        self.tokens = tokens
        self.tokenTypes = tokenTypes
        self.scores = scores
        self.merges = merges
        self.preTokenizer = preTokenizer
        self.special = special
        self.addBOS = addBOS
        self.addEOS = addEOS
        self.addSpacePrefix = addSpacePrefix
        self.modelName = modelName
        self.architecture = architecture
        self.warnings = warnings
    }
}
