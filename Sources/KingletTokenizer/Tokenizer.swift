import KingletGGUF

/// Text ↔ token ids, matching llama.cpp's `llama_tokenize` / `llama_token_to_piece` exactly.
///
/// Encoding: special tokens are cut out of the text first (`SpecialTokenSplitter`), each
/// remaining fragment is split into words (`PreTokenizer`), and each word is merged by the model
/// (`BPEModel` or `SentencePieceModel`). Immutable after init, so one instance can serve many
/// threads.
public final class Tokenizer: Sendable {
    enum Engine: Sendable {
        case bpe(BPEModel, any PreTokenizer)
        case sentencePiece(SentencePieceModel)
    }

    let vocab: Vocabulary
    let engine: Engine
    let splitter: SpecialTokenSplitter
    let pieces: PieceTable

    /// `gpt2` (byte-level BPE) or `llama` (SentencePiece).
    public let model: TokenizerModelKind
    /// The special-token ids after llama.cpp's defaults and text-based detection.
    public let special: SpecialTokenIDs
    /// Ids that end generation: EOS, EOT, EOM and tokens such as `<|im_end|>`, `<|eot_id|>`,
    /// `<end_of_turn>`, `<|endoftext|>`, plus fill-in-the-middle pad/repo/separator tokens.
    public let endOfGeneration: Set<Int32>
    /// Whether `encode(_:addSpecial: true)` starts with BOS.
    public let addBOS: Bool
    /// Whether `encode(_:addSpecial: true)` ends with EOS.
    public let addEOS: Bool
    /// SentencePiece prefixes text with a space; decoding drops one leading space again.
    public let addSpacePrefix: Bool
    /// Whether decoding tidies spaces before punctuation (`clean_up_tokenization_spaces`).
    public let cleanSpaces: Bool
    /// The `tokenizer.ggml.pre` name as given (nil when absent).
    public let preTokenizerName: String?
    /// The split actually used: `gpt2`, `smollm`, `llama3`, `qwen2` (or `sentencepiece`).
    public let preTokenizerFamily: String
    /// True when `tokenizer.ggml.pre` was missing or unknown and GPT-2's split stands in for it;
    /// encodings may then differ from llama.cpp's (see `warnings`).
    public let preTokenizerIsFallback: Bool
    /// Things the user may want to know, e.g. an unknown pre-tokenizer replaced by GPT-2's.
    public let warnings: [String]

    /// Reads the vocabulary from a GGUF file's `tokenizer.ggml.*` metadata.
    public convenience init(gguf file: GGUFFile) throws(TokenizerError) {
        try self.init(TokenizerConfiguration(gguf: file))
    }

    /// Builds a tokenizer from plain values (see `TokenizerConfiguration`).
    public init(_ config: TokenizerConfiguration) throws(TokenizerError) {
        let n = config.tokens.count
        guard n > 0 else { throw .emptyVocabulary }
        if let t = config.tokenTypes, t.count != n {
            throw .lengthMismatch(key: "tokenizer.ggml.token_type", expected: n, found: t.count)
        }
        if let s = config.scores, s.count != n {
            throw .lengthMismatch(key: "tokenizer.ggml.scores", expected: n, found: s.count)
        }
        var warnings = config.warnings
        var vocab = Vocabulary(texts: config.tokens, types: config.tokenTypes)

        var special = config.special
        let paths: [WritableKeyPath<SpecialTokenIDs, Int32?>] = [
            \.bos, \.eos, \.eot, \.eom, \.unk, \.sep, \.pad, \.mask,
            \.fimPre, \.fimSuf, \.fimMid, \.fimPad, \.fimRep, \.fimSep,
        ]
        for p in paths {
            if let id = special[keyPath: p], !vocab.contains(id) {
                warnings.append("special token id \(id) is outside the vocabulary of \(n) tokens; ignored")
                special[keyPath: p] = nil
            }
        }
        endOfGeneration = SpecialTokenDetection.apply(to: &vocab, special: &special)
        SpecialTokenDetection.applyStripRules(
            to: &vocab, modelName: config.modelName, architecture: config.architecture, pre: config.preTokenizer)

        model = config.model
        preTokenizerName = config.preTokenizer
        switch config.model {
        case .bytePairEncoding:
            var profile = PreTokenizerProfile(family: .gpt2)
            var fallback = true
            if let name = config.preTokenizer {
                if let known = PreTokenizerRegistry.profile(name) {
                    profile = known
                    fallback = false
                } else {
                    warnings.append("unknown pre-tokenizer '\(name)'; using GPT-2's. Tokenization may differ from llama.cpp.")
                }
            } else {
                warnings.append("no pre-tokenizer named (tokenizer.ggml.pre); using GPT-2's. Tokenization may differ from llama.cpp.")
            }
            engine = .bpe(BPEModel(vocab: vocab, merges: config.merges, ignoreMerges: profile.ignoreMerges),
                          profile.preTokenizer)
            preTokenizerFamily = profile.family.rawValue
            preTokenizerIsFallback = fallback
            addBOS = config.addBOS ?? profile.addBOS
            addSpacePrefix = config.addSpacePrefix ?? false
            cleanSpaces = profile.cleanSpaces
        case .sentencePiece:
            engine = .sentencePiece(SentencePieceModel(vocab: vocab, scores: config.scores, unknown: special.unk))
            preTokenizerFamily = "sentencepiece"
            preTokenizerIsFallback = false
            addBOS = config.addBOS ?? true
            addSpacePrefix = config.addSpacePrefix ?? true
            cleanSpaces = false
        }
        addEOS = config.addEOS ?? false
        if addBOS && special.bos == nil {
            warnings.append("the vocabulary asks for BOS but has no BOS token; none will be added")
        }
        if addEOS && special.eos == nil {
            warnings.append("the vocabulary asks for EOS but has no EOS token; none will be added")
        }
        self.special = special
        self.vocab = vocab
        self.warnings = warnings
        splitter = SpecialTokenSplitter(vocab: vocab)
        pieces = PieceTable(vocab: vocab, model: config.model)
    }

    // MARK: - Vocabulary

    /// Number of tokens (ids are `0 ..< vocabularySize`).
    public var vocabularySize: Int { vocab.count }
    /// Beginning-of-sequence token, if the vocabulary has one.
    public var bos: Int32? { special.bos }
    /// End-of-sequence token, if the vocabulary has one.
    public var eos: Int32? { special.eos }
    /// End-of-turn token (`<|im_end|>`, `<|eot_id|>`, ...), if any.
    public var eot: Int32? { special.eot }

    /// Whether generating `id` should stop generation.
    public func isEndOfGeneration(_ id: Int32) -> Bool { endOfGeneration.contains(id) }

    /// Whether `id` is a control token (rendered only with `special: true`).
    public func isControl(_ id: Int32) -> Bool {
        vocab.contains(id) && vocab.attributes[Int(id)].contains(.control)
    }

    /// The attributes of `id` (empty for an id outside the vocabulary).
    public func attributes(_ id: Int32) -> TokenAttributes {
        vocab.contains(id) ? vocab.attributes[Int(id)] : []
    }

    /// The token's text as stored in the vocabulary (e.g. `Ġthe`), or nil for a bad id.
    public func tokenText(_ id: Int32) -> String? {
        vocab.contains(id) ? vocab.text(Int(id)) : nil
    }

    /// The id whose vocabulary text is exactly `text` (e.g. `<|im_end|>`), if any.
    public func id(forTokenText text: String) -> Int32? { vocab.id(text) }
}
