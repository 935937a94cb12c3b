import Foundation
import KingletGGUF

/// What can go wrong building, opening or sampling token shards; each case names the file and
/// says what to do.
public enum TokenDataError: Error, Sendable, Equatable, LocalizedError {
    /// A file or folder could not be read or created.
    case cannotOpen(path: String, reason: String)
    /// An output file could not be written.
    case cannotWrite(path: String, reason: String)
    /// A token shard cannot be read or written, is not one, is of another version, or is
    /// truncated or damaged.
    case file(FileError)
    /// A stored token is not below the vocabulary size.
    case tokenOutOfRange(path: String, index: Int, token: Int, vocabularySize: Int)
    /// The shard was made with another tokenizer than the one in use.
    case tokenizerMismatch(path: String, shard: UInt64, expected: UInt64)
    /// The shard has fewer tokens than one window needs.
    case shardTooShort(path: String, tokens: Int, needed: Int)
    /// A random-generator state that cannot be restored (wrong length or all zero).
    case badSamplerState(reason: String)
    /// The inputs hold no usable text.
    case noDocuments(inputs: [String], skipped: Int)
    /// The tokenizer has no end-of-text token to separate documents with.
    case noSeparatorToken
    /// Decompressing a `.gz` input failed.
    case decompressionFailed(path: String, reason: String)
    /// A build option is out of range.
    case invalidOption(String)

    public var errorDescription: String? {
        switch self {
        case .cannotOpen(let path, let reason):
            return "cannot read \(path): \(reason). Check the path and its permissions."
        case .cannotWrite(let path, let reason):
            return "cannot write \(path): \(reason). Check that the folder exists, is writable and the disk is not full."
        case .file(let e):
            return e.errorDescription
        case .tokenOutOfRange(let path, let index, let token, let vocabularySize):
            return "\(path): token \(index) is \(token), outside the vocabulary of \(vocabularySize). The file is damaged; rebuild the shards."
        case .tokenizerMismatch(let path, let shard, let expected):
            return "\(path) was tokenized with another tokenizer (fingerprint \(fingerprintHex(shard)), expected \(fingerprintHex(expected))). Rebuild the shards with the model's tokenizer."
        case .shardTooShort(let path, let tokens, let needed):
            return "\(path) holds \(tokens) tokens but a window needs \(needed). Add more text or use a shorter context."
        case .badSamplerState(let reason):
            return "cannot restore the data sampler: \(reason). The checkpoint may be damaged."
        case .noDocuments(let inputs, let skipped):
            return "no usable text in \(inputs.joined(separator: ", "))\(skipped > 0 ? " (\(skipped) files skipped as binary or empty)" : ""). Point to plain-text (.txt, .md, ...) or .gz files."
        case .noSeparatorToken:
            return "the tokenizer has no end-of-text or EOS token to separate documents. Name one explicitly."
        case .decompressionFailed(let path, let reason):
            return "cannot decompress \(path): \(reason). Check that it is a valid gzip file and that `gzip` is installed."
        case .invalidOption(let what):
            return what
        }
    }
}

extension FileError.Format {
    /// Token shards (`.ktok`), written by the data preparation step.
    public static let tokenShard = FileError.Format(
        name: "Kinglet token shard (.ktok)", remedy: "Rebuild the shards with the data preparation step.")
}
