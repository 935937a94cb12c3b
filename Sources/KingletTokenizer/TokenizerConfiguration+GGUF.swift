import KingletGGUF

extension TokenizerConfiguration {
    /// Reads the tokenizer described by a GGUF file's `tokenizer.ggml.*` metadata, applying the
    /// defaults llama.cpp applies when a key is absent (e.g. BOS = EOS = 11 for `gpt2`).
    public init(gguf file: GGUFFile) throws(TokenizerError) {
        let modelName: String
        do { modelName = try file.string("tokenizer.ggml.model") } catch { throw .metadata(error) }
        guard let kind = TokenizerModelKind(rawValue: modelName) else { throw .unsupportedModel(modelName) }

        let tokens: [String]
        do { tokens = try file.strings("tokenizer.ggml.tokens") } catch { throw .metadata(error) }
        guard !tokens.isEmpty else { throw .emptyVocabulary }
        let n = tokens.count

        var types: [TokenType]? = nil
        if file.metadata["tokenizer.ggml.token_type"] != nil {
            let raw: [Int]
            do { raw = try file.ints("tokenizer.ggml.token_type") } catch { throw .metadata(error) }
            guard raw.count >= n else {
                throw .lengthMismatch(key: "tokenizer.ggml.token_type", expected: n, found: raw.count)
            }
            types = raw.prefix(n).map(TokenType.init(raw:))
        }

        var scores: [Float]? = nil
        if let values = file.metadata["tokenizer.ggml.scores"]?.arrayValue {
            guard values.count >= n else {
                throw .lengthMismatch(key: "tokenizer.ggml.scores", expected: n, found: values.count)
            }
            scores = values.prefix(n).map { Float($0.doubleValue ?? 0) }
        }

        var merges: [String] = []
        if kind == .bytePairEncoding {
            guard file.metadata["tokenizer.ggml.merges"] != nil else {
                throw .missing(key: "tokenizer.ggml.merges", reason: "a 'gpt2' BPE tokenizer needs its merges")
            }
            do { merges = try file.strings("tokenizer.ggml.merges") } catch { throw .metadata(error) }
        }

        var warnings: [String] = []
        // llama.cpp's per-family defaults, then whatever the file says (when in range).
        var special = SpecialTokenIDs()
        switch kind {
        case .bytePairEncoding: special.bos = 11; special.eos = 11
        case .sentencePiece: special.bos = 1; special.eos = 2; special.unk = 0
        }
        let pre = file.metadata["tokenizer.ggml.pre"]?.stringValue
        if kind == .bytePairEncoding, let pre, ["chatglm-bpe", "glm4", "glm5"].contains(pre) {
            special.bos = nil
        }
        let keys: [(String, WritableKeyPath<SpecialTokenIDs, Int32?>)] = [
            ("bos_token_id", \.bos), ("eos_token_id", \.eos), ("eot_token_id", \.eot),
            ("eom_token_id", \.eom), ("unknown_token_id", \.unk), ("seperator_token_id", \.sep),
            ("padding_token_id", \.pad), ("mask_token_id", \.mask),
            ("fim_pre_token_id", \.fimPre), ("fim_suf_token_id", \.fimSuf), ("fim_mid_token_id", \.fimMid),
            ("fim_pad_token_id", \.fimPad), ("fim_rep_token_id", \.fimRep), ("fim_sep_token_id", \.fimSep),
            // deprecated names, read after the new ones as llama.cpp does
            ("prefix_token_id", \.fimPre), ("suffix_token_id", \.fimSuf), ("middle_token_id", \.fimMid),
        ]
        for (suffix, path) in keys {
            let key = "tokenizer.ggml." + suffix
            if let id = special[keyPath: path], id >= n {
                warnings.append("default \(key) = \(id) is outside the vocabulary; disabled")
                special[keyPath: path] = nil
            }
            guard let value = file.metadata[key]?.intValue else { continue }
            if value < 0 || value >= n {
                warnings.append("\(key) = \(value) is outside the vocabulary of \(n) tokens; ignored")
            } else {
                special[keyPath: path] = Int32(value)
            }
        }

        self.init(
            model: kind,
            tokens: tokens,
            tokenTypes: types,
            scores: scores,
            merges: merges,
            preTokenizer: pre,
            special: special,
            addBOS: file.metadata["tokenizer.ggml.add_bos_token"]?.boolValue,
            addEOS: file.metadata["tokenizer.ggml.add_eos_token"]?.boolValue,
            addSpacePrefix: file.metadata["tokenizer.ggml.add_space_prefix"]?.boolValue,
            modelName: file.metadata["general.name"]?.stringValue,
            architecture: file.metadata["general.architecture"]?.stringValue,
            warnings: warnings
        )
    }
}
