import Foundation

/// What can go wrong building, opening or sampling token shards; each case names the file and
/// says what to do.
public enum TokenDataError: Error, Sendable, Equatable, LocalizedError {
    /// A file or folder could not be read or created.
    case cannotOpen(path: String, reason: String)
    /// An output file could not be written.
    case cannotWrite(path: String, reason: String)
    /// The file is not a token shard (wrong magic) or is too short to hold the header.
    case notAShard(path: String)
    /// A shard written by a newer Kinglet.
    case unsupportedVersion(path: String, version: UInt32)
    /// The header is inconsistent (bad token width, zero vocabulary...).
    case badHeader(path: String, what: String)
    /// The file size does not match the token count in the header (truncated or padded).
    case sizeMismatch(path: String, expectedBytes: Int, actualBytes: Int)
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
        case .notAShard(let path):
            return "\(path) is not a Kinglet token shard (.ktok). Build shards with the data preparation step first."
        case .unsupportedVersion(let path, let version):
            return "\(path) is token-shard version \(version), which this Kinglet cannot read. Rebuild the shards or update Kinglet."
        case .badHeader(let path, let what):
            return "\(path): corrupt token-shard header (\(what)). Rebuild the shards."
        case .sizeMismatch(let path, let expected, let actual):
            return "\(path) should be \(expected) bytes but is \(actual): the file is truncated or damaged. Rebuild the shards."
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
