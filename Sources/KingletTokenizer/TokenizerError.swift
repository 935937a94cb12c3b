import Foundation
import KingletGGUF

/// Everything that can stop a tokenizer from being built, with what was found and what to do.
///
/// Encoding and decoding never throw: once a `Tokenizer` exists, any text encodes and any id
/// sequence decodes (unknown ids decode to nothing).
public enum TokenizerError: Error, Sendable, Equatable, LocalizedError {
    /// Reading a metadata key from the GGUF file failed.
    case metadata(GGUFError)
    /// `tokenizer.ggml.model` names a tokenizer family Kinglet does not implement.
    case unsupportedModel(String)
    /// The vocabulary has no tokens.
    case emptyVocabulary
    /// Two parallel arrays (tokens and token types, tokens and scores) disagree in length.
    case lengthMismatch(key: String, expected: Int, found: Int)
    /// A value that must be present for this tokenizer family is absent.
    case missing(key: String, reason: String)

    /// What went wrong and what to do about it.
    public var errorDescription: String? {
        switch self {
        case .metadata(let e):
            return "tokenizer metadata: \(e.errorDescription ?? "\(e)")"
        case .unsupportedModel(let name):
            return "tokenizer model '\(name)' is not supported (Kinglet implements 'gpt2' byte-level BPE "
                + "and 'llama' SentencePiece). Use a GGUF whose tokenizer.ggml.model is one of these."
        case .emptyVocabulary:
            return "the vocabulary is empty (tokenizer.ggml.tokens has no entries). The file is damaged "
                + "or was converted without a tokenizer; convert or pull it again."
        case .lengthMismatch(let key, let expected, let found):
            return "'\(key)' has \(found) entries but the vocabulary has \(expected) tokens. "
                + "The file is inconsistent; convert or pull it again."
        case .missing(let key, let reason):
            return "'\(key)' is missing: \(reason). Convert the model with a recent llama.cpp convert script."
        }
    }
}
