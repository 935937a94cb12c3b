/// What a `tokenizer.ggml.pre` name means: the split plus the flags llama.cpp ties to it.
struct PreTokenizerProfile: Sendable {
    enum Family: String, Sendable { case gpt2, smollm, llama3, qwen2 }

    let family: Family
    /// Use a word's token directly when the whole word is in the vocabulary (skip merges).
    var ignoreMerges = false
    /// Tidy spaces before punctuation when decoding (`clean_up_tokenization_spaces`).
    var cleanSpaces = true
    /// BOS default when the file has no `add_bos_token`.
    var addBOS = false

    var preTokenizer: any PreTokenizer {
        switch family {
        case .gpt2: return GPT2PreTokenizer()
        case .smollm: return SmolLMPreTokenizer()
        case .llama3: return Llama3PreTokenizer()
        case .qwen2: return Qwen2PreTokenizer()
        }
    }
}

/// The `tokenizer.ggml.pre` names Kinglet knows, from llama.cpp's `llama_vocab::impl::load`.
enum PreTokenizerRegistry {
    static func profile(_ name: String) -> PreTokenizerProfile? {
        switch name {
        // GPT-2 regex
        case "gpt2", "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de",
             "a.x-4.0", "mellum", "modern-bert", "jina-v1-en", "jina-v2-code", "roberta-bpe",
             "mpt", "olmo", "jais", "exaone4":
            return PreTokenizerProfile(family: .gpt2)
        case "trillion", "granite-docling":
            return PreTokenizerProfile(family: .gpt2, cleanSpaces: false)
        // \p{N} then the GPT-2 regex
        case "starcoder", "refact", "codeshell", "exaone", "minerva-7b", "mellum2":
            return PreTokenizerProfile(family: .smollm)
        case "smollm", "command-r":
            return PreTokenizerProfile(family: .smollm, cleanSpaces: false)
        // Llama 3 regex
        case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2",
             "jina-v5-nano":
            return PreTokenizerProfile(family: .llama3, ignoreMerges: true, addBOS: true)
        case "dbrx", "smaug-bpe", "chatglm-bpe":
            return PreTokenizerProfile(family: .llama3)
        case "glm4", "glm5":
            return PreTokenizerProfile(family: .llama3, ignoreMerges: true)
        // Qwen 2 regex
        case "stablelm2", "megrez":
            return PreTokenizerProfile(family: .qwen2)
        case "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "hunyuan", "solar-open", "grok-2":
            return PreTokenizerProfile(family: .qwen2, cleanSpaces: false)
        default:
            return nil
        }
    }
}
