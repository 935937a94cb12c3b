import Foundation
import KingletGGUF

/// Errors of perplexity and KL-divergence runs and of logits files. Each names what was found
/// and what would fix it, in the library's terms (the CLI adds its flags).
public enum MicroscopeError: Error, LocalizedError, Sendable, Equatable {
    /// The text has fewer tokens than two chunks (llama.cpp's rule: at least 2 × context).
    case textTooShort(tokens: Int, context: Int)
    /// A chunk length too small to score anything.
    case contextTooSmall(context: Int)
    /// A chunk longer than the loaded model's context.
    case contextExceedsModel(context: Int, model: Int)
    /// A forward-pass batch size below 1.
    case invalidBatch(Int)
    /// The run was cancelled.
    case cancelled
    /// The forward pass failed.
    case model(String)
    /// A logits file cannot be read or written, is not one, is of another version, or is
    /// truncated or damaged.
    case file(FileError)
    /// The model's vocabulary is not the one the logits were saved with.
    case vocabularyMismatch(path: String, file: Int, model: Int, detail: String)
    /// The text is not the one the logits were saved from.
    case textMismatch(path: String, detail: String)
    /// Top-k storage with k outside 1 … vocabulary.
    case invalidTopK(k: Int, vocabulary: Int)

    public var errorDescription: String? {
        switch self {
        case .textTooShort(let t, let c):
            return "the text tokenizes to \(t) tokens but perplexity with a context of \(c) needs at least \(2 * c) (two chunks). Use a longer text or a shorter context."
        case .contextTooSmall(let c):
            return "a context of \(c) tokens leaves nothing to score; it must be at least 4."
        case .contextExceedsModel(let c, let m):
            return "chunks of \(c) tokens do not fit the model's context of \(m). Load the model with a context of at least \(c)."
        case .invalidBatch(let b):
            return "a batch of \(b) tokens per forward pass is impossible; it must be at least 1."
        case .cancelled:
            return "the run was cancelled."
        case .model(let m):
            return "the forward pass failed: \(m)"
        case .file(let e):
            return e.errorDescription
        case .vocabularyMismatch(let p, let f, let m, let d):
            return "\(p) was saved with a vocabulary of \(f) tokens, the model has \(m)\(d.isEmpty ? "" : " (\(d))"). KL-divergence needs the same vocabulary: compare a model with the same tokenizer."
        case .textMismatch(let p, let d):
            return "\(p) was not saved from this text (\(d)). Compare on the text the logits were saved from, or on the tokens stored in the file."
        case .invalidTopK(let k, let v):
            return "top-k storage with k = \(k) is impossible for a vocabulary of \(v); k must be in 1 … \(v)."
        }
    }
}

extension FileError.Format {
    /// Logits files: Kinglet's (`KLNGLOGP`) and llama.cpp's `--kl-divergence-base` (`_logits_`).
    public static let logits = FileError.Format(
        name: "logits file (Kinglet's KLNGLOGP or llama.cpp's _logits_)",
        remedy: "Save it again with Perplexity's logits writer (this build) or llama-perplexity --kl-divergence-base.")
}
