import Foundation
import KingletKernels
import KingletTokenizer

/// Tokenizes text files into `train.ktok`, `val.ktok` and `data.json`.
///
/// Every file is one document (or several, with `documentDelimiter`); each document is its
/// tokens (no BOS, control-token text encoded as plain text) followed by the separator token.
/// A document goes to validation when the hash of its name (`folder/path/file.txt`, plus `#k`
/// for the k-th delimited piece) falls below `validationFraction`, so the split does not depend
/// on file order or thread timing; with two or more documents each split gets at least one,
/// and a single document gives its tail to validation. Files are read and encoded on several
/// threads; the output is the same for any thread count.
public struct TokenShardBuilder: Sendable {
    /// How to read, split and encode.
    public struct Options: Sendable {
        /// Share of documents held out for validation (0 ..< 1).
        public var validationFraction: Double = 0.05
        /// The token that ends each document; nil: `<|endoftext|>`/`<|end_of_text|>` if the
        /// vocabulary has one, else the tokenizer's EOS.
        public var separator: Int32?
        /// Text that separates documents inside a file (for example `<|endoftext|>` in
        /// TinyStories dumps); nil: each file is one document.
        public var documentDelimiter: String?
        /// Threads for reading and encoding.
        public var threads: Int = ThreadPool.physicalCoreCount()
        /// Input bytes read per round (bounds memory; progress is reported once per round).
        public var batchBytes: Int = 16 << 20
        /// Long documents are encoded in pieces of about this size, cut where the encoding
        /// cannot change (byte-level BPE only; see `TextChunking`).
        public var pieceBytes: Int = 1 << 20

        /// The defaults: 5% validation, end-of-text separator, one document per file.
        public init() {}
    }

    /// Reported after each round of files.
    public struct Progress: Sendable {
        /// Files read so far, of `filesTotal`.
        public var filesDone: Int
        public var filesTotal: Int
        /// Input bytes read so far, of `bytesTotal` (compressed size for `.gz`).
        public var bytesDone: Int
        public var bytesTotal: Int
        /// Documents and tokens (separators included) written so far.
        public var documents: Int
        public var tokens: Int
    }

    /// The tokenizer of the model to be trained.
    public let tokenizer: Tokenizer
    public var options: Options

    /// A builder encoding with `tokenizer`.
    public init(tokenizer: Tokenizer, options: Options = Options()) {
        self.tokenizer = tokenizer
        self.options = options
    }

    /// The separator `build` uses (see `Options.separator`).
    public func separatorToken() throws(TokenDataError) -> Int32 {
        if let s = options.separator {
            guard s >= 0, Int(s) < tokenizer.vocabularySize else {
                throw .invalidOption("separator token \(s) is outside the vocabulary of \(tokenizer.vocabularySize)")
            }
            return s
        }
        for text in ["<|endoftext|>", "<|end_of_text|>"] {
            if let id = tokenizer.id(forTokenText: text) { return id }
        }
        guard let eos = tokenizer.eos else { throw .noSeparatorToken }
        return eos
    }

    /// Whether a document named `name` belongs to the validation split (before the
    /// at-least-one-per-split adjustment).
    public static func isValidation(_ name: String, fraction: Double) -> Bool {
        // FNV-1a's top bits barely depend on the last characters (`a.txt#1`, `a.txt#2`), so
        // the hash goes through SplitMix64's finalizer before its top 53 bits become a fraction.
        Double(SplitMix64.mix(FNV1a.hash(name)) >> 11) * 0x1p-53 < fraction
    }

    /// Reads `inputs` (files or folders), writes the shards and `data.json` into `outputDirectory`
    /// (created if needed) and returns the manifest.
    @discardableResult
    public func build(inputs: [URL], outputDirectory: URL, progress: ((Progress) -> Void)? = nil) throws(TokenDataError) -> DataManifest {
        guard options.validationFraction >= 0, options.validationFraction < 1 else {
            throw .invalidOption("the validation fraction must be in [0, 1), got \(options.validationFraction)")
        }
        let pool: ThreadPool
        do { pool = try ThreadPool.sized(options.threads) } catch { throw .invalidOption(error.localizedDescription) }
        let separator = try separatorToken()
        let sources = try TextInputs.discover(inputs)
        do { try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true) } catch {
            throw .cannotWrite(path: outputDirectory.path, reason: error.localizedDescription)
        }
        let fingerprint = tokenizerFingerprint(tokenizer)
        let out = try SplitWriter(directory: outputDirectory, vocabularySize: tokenizer.vocabularySize,
                                  fingerprint: fingerprint, separator: separator,
                                  validationFraction: options.validationFraction)
        var state = Progress(filesDone: 0, filesTotal: sources.count, bytesDone: 0,
                             bytesTotal: sources.reduce(0) { $0 + $1.byteCount }, documents: 0, tokens: 0)
        var binary = 0, empty = 0, files = 0

        var next = 0
        while next < sources.count {
            var end = next, bytes = 0
            repeat { bytes += sources[end].byteCount; end += 1 } while end < sources.count && bytes < options.batchBytes
            let batch = Array(sources[next ..< end])
            next = end

            // Read and cut into documents and pieces (in parallel), then encode every piece.
            let delimiter = options.documentDelimiter
            let chunkable = tokenizer.model == .bytePairEncoding
            let pieceBytes = options.pieceBytes
            let read = try pool.orderedMap(batch.count) { i throws(TokenDataError) -> (TextContent, [[String]]) in
                let content = try TextInputs.read(batch[i])
                guard case .text(let text) = content else { return (content, []) }
                let docs = TextInputs.documents(text, delimiter: delimiter)
                return (content, docs.map { chunkable ? TextChunking.pieces($0, targetBytes: pieceBytes) : [$0] })
            }
            let pieces = read.flatMap { $0.1.flatMap { $0 } }
            let tokenizer = self.tokenizer
            let encoded = pool.orderedMap(pieces.count) { i in
                tokenizer.encode(pieces[i], addSpecial: false, parseSpecial: false)
            }

            var p = 0
            for (i, (content, docs)) in read.enumerated() {
                switch content {
                case .binary: binary += 1
                case .empty: empty += 1
                case .text: if docs.isEmpty { empty += 1 } else { files += 1 }
                }
                for (k, docPieces) in docs.enumerated() {
                    var tokens: [Int32] = []
                    for _ in docPieces { tokens += encoded[p]; p += 1 }
                    let name = delimiter == nil ? batch[i].relativePath : "\(batch[i].relativePath)#\(k)"
                    try out.add(tokens, validation: Self.isValidation(name, fraction: options.validationFraction))
                    state.documents += 1
                    state.tokens += tokens.count + 1
                }
                state.filesDone += 1
                state.bytesDone += batch[i].byteCount
            }
            progress?(state)
        }
        guard state.documents > 0 else {
            throw .noDocuments(inputs: inputs.map(\.path), skipped: binary + empty)
        }
        let (train, validation) = try out.finish()
        let manifest = DataManifest(
            tokenizer: .init(fingerprint: fingerprintHex(fingerprint), vocabularySize: tokenizer.vocabularySize,
                             model: tokenizer.model.rawValue, preTokenizer: tokenizer.preTokenizerName,
                             separator: separator, separatorText: tokenizer.tokenText(separator)),
            sources: inputs.map(\.path), files: files, skippedBinary: binary, skippedEmpty: empty,
            validationFraction: options.validationFraction, documentDelimiter: options.documentDelimiter,
            train: train, validation: validation)
        try manifest.write(directory: outputDirectory)
        return manifest
    }
}
