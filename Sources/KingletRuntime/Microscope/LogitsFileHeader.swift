/// What a logits file holds: the reference model's distributions at every scored position of a
/// chunk plan, and enough about their origin to refuse a comparison that would mean nothing.
///
/// Two layouts, told apart by their first 8 bytes:
/// - Kinglet's (`KLNGLOGP`): little-endian u32 version, storage (0 full, 1 top-k), k, context,
///   vocabulary, chunks; the text's SHA-256 (32 bytes); the vocabulary's SHA-256 (32 bytes);
///   u32 name length and the model's name (UTF-8), zero-padded to a multiple of 4; then the
///   tokens and rows as below.
/// - llama.cpp's (`_logits_`, written by `llama-perplexity --kl-divergence-base`): u32 context,
///   i32 vocabulary, i32 chunks; then the tokens and full rows. No text or vocabulary digest.
///
/// Then `chunks × context` i32 tokens (the text's, before any BOS substitution) and, per chunk,
/// `context − 1 − context/2` rows (one per scored position), each `rowBytes` long:
/// - full: llama.cpp's row exactly (`QuantizedLogProbs`): f32 scale, f32 minimum, then every
///   token's log-probability as a u16 step above the minimum, padded to an even count;
/// - top-k (`TopKLogProbs`): the target token's f32 log-probability, the f32 log of the mass
///   outside the top k, k i32 ids (most likely first) and their k f32 log-probabilities.
public struct LogitsFileHeader: Sendable, Equatable {
    /// The current Kinglet layout's version.
    public static let version: UInt32 = 1
    static let kingletMagic = Array("KLNGLOGP".utf8)
    static let llamaCppMagic = Array("_logits_".utf8)

    /// Whose layout.
    public enum Format: String, Sendable, Equatable, Codable { case kinglet, llamaCpp = "llama.cpp" }

    /// How each distribution is kept.
    public enum Storage: Sendable, Equatable {
        /// Every token's log-probability, 16 bits each (llama.cpp's quantization).
        case full
        /// The k most likely tokens and the mass of the rest.
        case topK(Int)

        /// "full (16-bit log-probabilities)" or "top-32 + tail".
        public var description: String {
            switch self {
            case .full: return "full (16-bit log-probabilities of all tokens)"
            case .topK(let k): return "top-\(k) + tail"
            }
        }
    }

    public var format: Format
    public var storage: Storage
    public var context: Int
    public var vocabularySize: Int
    public var chunkCount: Int
    /// The reference model's name (Kinglet files only).
    public var modelName: String?
    /// SHA-256 of the text's UTF-8 bytes (Kinglet files only).
    public var textDigest: [UInt8]?
    /// SHA-256 of the vocabulary (`VocabularyDigest`; Kinglet files only).
    public var vocabularyDigest: [UInt8]?

    public init(format: Format = .kinglet, storage: Storage, context: Int, vocabularySize: Int, chunkCount: Int,
                modelName: String? = nil, textDigest: [UInt8]? = nil, vocabularyDigest: [UInt8]? = nil) {
        self.format = format
        self.storage = storage
        self.context = context
        self.vocabularySize = vocabularySize
        self.chunkCount = chunkCount
        self.modelName = modelName
        self.textDigest = textDigest
        self.vocabularyDigest = vocabularyDigest
    }

    /// Scored rows per chunk.
    public var rowsPerChunk: Int { context - 1 - context / 2 }
    /// Bytes of one row.
    public var rowBytes: Int {
        switch storage {
        case .full: return QuantizedLogProbs.rowBytes(vocabularySize: vocabularySize)
        case .topK(let k): return TopKLogProbs.rowBytes(k: k)
        }
    }

    /// The serialized Kinglet header (tokens and rows follow it).
    func encoded() -> [UInt8] {
        var b = Self.kingletMagic
        let k: Int
        switch storage { case .full: k = 0; case .topK(let n): k = n }
        let storageCode: UInt32 = k == 0 ? 0 : 1
        for v in [Self.version, storageCode, UInt32(k), UInt32(context), UInt32(vocabularySize), UInt32(chunkCount)] {
            b.append(contentsOf: v.littleEndianBytes)
        }
        b += textDigest ?? [UInt8](repeating: 0, count: 32)
        b += vocabularyDigest ?? [UInt8](repeating: 0, count: 32)
        let name = Array((modelName ?? "").utf8.prefix(LogitsFileReader.maximumNameBytes))
        b.append(contentsOf: UInt32(name.count).littleEndianBytes)
        b += name
        while b.count % 4 != 0 { b.append(0) }
        return b
    }
}

extension FixedWidthInteger {
    var littleEndianBytes: [UInt8] { withUnsafeBytes(of: littleEndian) { Array($0) } }
}
