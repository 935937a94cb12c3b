import Foundation

/// `data.json`, written next to the shards: where the tokens came from and with which tokenizer.
public struct DataManifest: Codable, Sendable, Equatable {
    /// The tokenizer the shards were made with.
    public struct TokenizerInfo: Codable, Sendable, Equatable {
        /// `tokenizerFingerprint` as 16 hex digits.
        public var fingerprint: String
        /// Tokens in its vocabulary (V).
        public var vocabularySize: Int
        /// `gpt2` (byte-level BPE) or `llama` (SentencePiece).
        public var model: String
        /// `tokenizer.ggml.pre` as given (nil when absent).
        public var preTokenizer: String?
        /// The token that ends every document.
        public var separator: Int32
        /// The separator's vocabulary text (`<|endoftext|>`).
        public var separatorText: String?
    }

    /// One shard of the split.
    public struct Split: Codable, Sendable, Equatable {
        /// The shard's file name in the data folder.
        public var file: String
        /// Documents in the shard.
        public var documents: Int
        /// Tokens in the shard, separators included.
        public var tokens: Int
    }

    /// Always `kinglet-token-shards`.
    public var format = "kinglet-token-shards"
    /// Version of this manifest's layout.
    public var version = 1
    /// Which tokenizer made the tokens.
    public var tokenizer: TokenizerInfo
    /// The inputs as given (files or folders).
    public var sources: [String]
    /// Text files read (after skipping).
    public var files: Int
    /// Files skipped because they hold NUL bytes or invalid UTF-8.
    public var skippedBinary: Int
    /// Empty files (or files with only delimiters and whitespace).
    public var skippedEmpty: Int
    /// The share of documents asked for validation.
    public var validationFraction: Double
    /// The text that split files into documents, if any.
    public var documentDelimiter: String?
    /// `train.ktok`.
    public var train: Split
    /// `val.ktok`.
    public var validation: Split

    /// The manifest's file name in a data folder.
    public static let fileName = "data.json"

    /// The fingerprint as a number (nil if `data.json` was edited into something else).
    public var fingerprint: UInt64? { UInt64(tokenizer.fingerprint, radix: 16) }

    /// Reads `data.json` from a data folder.
    public static func read(directory: URL) throws(TokenDataError) -> DataManifest {
        let url = directory.appendingPathComponent(fileName)
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw .cannotOpen(path: url.path, reason: error.localizedDescription) }
        do { return try JSONDecoder().decode(DataManifest.self, from: data) } catch {
            throw .cannotOpen(path: url.path, reason: "not a valid data.json (\(error))")
        }
    }

    /// Writes `data.json` (stable key order, so equal builds give equal files).
    func write(directory: URL) throws(TokenDataError) {
        let url = directory.appendingPathComponent(Self.fileName)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do { try encoder.encode(self).write(to: url, options: .atomic) } catch {
            throw .cannotWrite(path: url.path, reason: error.localizedDescription)
        }
    }
}

/// A built data folder: `data.json` and its two shards, opened and checked against each other
/// (and against the training tokenizer when its fingerprint is given).
public struct TokenDataset: Sendable {
    /// `data.json`.
    public let manifest: DataManifest
    /// The training shard.
    public let train: TokenShard
    /// The held-out shard.
    public let validation: TokenShard

    /// Opens `directory`; with `expectedFingerprint` (the training tokenizer's), shards made
    /// with another tokenizer are refused, else they must match `data.json`.
    public init(directory: URL, expectedFingerprint: UInt64? = nil) throws(TokenDataError) {
        let manifest = try DataManifest.read(directory: directory)
        let fingerprint = expectedFingerprint ?? manifest.fingerprint
        train = try TokenShard(url: directory.appendingPathComponent(manifest.train.file), expectedFingerprint: fingerprint)
        validation = try TokenShard(url: directory.appendingPathComponent(manifest.validation.file), expectedFingerprint: fingerprint)
        self.manifest = manifest
    }
}
