import Foundation
import KingletGGUF

// The `.ktok` token-shard format: a 64-byte header, then the tokens, little-endian.
//
//   offset  size  field
//        0     4  magic "KTOK"
//        4     4  version (1)
//        8     4  token width in bytes: 2 when the vocabulary has ≤ 65536 tokens, else 4
//       12     4  reserved (0)
//       16     8  vocabulary size V
//       24     8  token count N
//       32     8  tokenizer fingerprint (`tokenizerFingerprint`)
//       40     8  document count
//       48    16  reserved (0)
//       64  N·w  tokens [N], each < V (documents back to back, each ending in the separator)

/// Layout constants of the `.ktok` format.
public enum TokenShardFormat {
    /// The first four bytes: "KTOK".
    public static let magic: [UInt8] = Array("KTOK".utf8)
    /// The version this code writes and reads.
    public static let version: UInt32 = 1
    /// Bytes before the first token.
    public static let headerSize = 64

    /// Bytes per stored token for a vocabulary of `vocabularySize`.
    public static func tokenWidth(vocabularySize: Int) -> Int { vocabularySize <= 65536 ? 2 : 4 }

    static func header(vocabularySize: Int, tokenCount: Int, fingerprint: UInt64, documentCount: Int) -> [UInt8] {
        var out = magic
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        put(version)
        put(UInt32(tokenWidth(vocabularySize: vocabularySize)))
        put(UInt32(0))
        put(UInt64(vocabularySize))
        put(UInt64(tokenCount))
        put(fingerprint)
        put(UInt64(documentCount))
        out.append(contentsOf: repeatElement(0, count: headerSize - out.count))
        return out
    }
}

/// A read-only, memory-mapped token shard (`train.ktok`, `val.ktok`).
///
/// Opening checks the header, the file size and that every token is inside the vocabulary, so a
/// damaged file is a `TokenDataError` here rather than a bad index deep inside training.
public final class TokenShard: @unchecked Sendable {
    /// The file's path.
    public let path: String
    /// Tokens in the shard (N).
    public let count: Int
    /// Vocabulary size of the tokenizer that made it (V).
    public let vocabularySize: Int
    /// `tokenizerFingerprint` of that tokenizer.
    public let fingerprint: UInt64
    /// Documents in the shard.
    public let documentCount: Int
    /// Bytes per token (2 or 4).
    public let tokenWidth: Int

    private let file: MappedFile
    private let tokens: UnsafeRawPointer  // [N] u16 or u32, little-endian

    /// Maps and validates the shard at `url`. With `expectedFingerprint`, a shard made with
    /// another tokenizer is refused (`tokenizerMismatch`).
    public init(url: URL, expectedFingerprint: UInt64? = nil) throws(TokenDataError) {
        let path = url.path
        self.path = path
        do { file = try MappedFile(path: path) } catch { throw .file(FileError(path, .tokenShard, .cannotRead(error.localizedDescription))) }
        let bytes = file.bytes
        guard bytes.count >= TokenShardFormat.headerSize, Array(bytes[0 ..< 4]) == TokenShardFormat.magic else {
            throw .file(FileError(path, .tokenShard, .notThisFormat))
        }
        func u32(_ at: Int) -> UInt32 { UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
        func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        let version = u32(4)
        guard version == TokenShardFormat.version else { throw .file(FileError(path, .tokenShard, .unsupportedVersion(found: version, reads: TokenShardFormat.version))) }
        let width = Int(u32(8))
        let vocab = u64(16), n = u64(24)
        guard vocab > 0, vocab <= UInt64(Int32.max) else { throw .file(FileError(path, .tokenShard, .damaged("vocabulary size \(vocab)"))) }
        guard width == TokenShardFormat.tokenWidth(vocabularySize: Int(vocab)) else {
            throw .file(FileError(path, .tokenShard, .damaged("token width \(width) for a vocabulary of \(vocab)")))
        }
        let (payload, overflow) = Int(clamping: n).multipliedReportingOverflow(by: width)
        let expected = overflow ? Int.max : TokenShardFormat.headerSize + payload
        guard expected == bytes.count else { throw .file(FileError(path, .tokenShard, .sizeMismatch(expected: expected, actual: bytes.count))) }
        let docs = u64(40)
        guard docs <= n else { throw .file(FileError(path, .tokenShard, .damaged("\(docs) documents in \(n) tokens"))) }

        count = Int(n)
        vocabularySize = Int(vocab)
        fingerprint = u64(32)
        documentCount = Int(docs)
        tokenWidth = width
        tokens = bytes.baseAddress! + TokenShardFormat.headerSize  // non-nil: count ≥ header size
        if let expectedFingerprint, expectedFingerprint != fingerprint {
            throw .tokenizerMismatch(path: path, shard: fingerprint, expected: expectedFingerprint)
        }
        if let bad = firstOutOfRange() {
            throw .tokenOutOfRange(path: path, index: bad.index, token: bad.token, vocabularySize: vocabularySize)
        }
    }

    /// The first token ≥ V, if any (a max scan first, since a valid shard has none).
    private func firstOutOfRange() -> (index: Int, token: Int)? {
        func scan<T: FixedWidthInteger & UnsignedInteger>(_: T.Type) -> (Int, Int)? {
            let p = tokens.assumingMemoryBound(to: T.self)
            var largest: T = 0
            for i in 0 ..< count { largest = max(largest, T(littleEndian: p[i])) }
            guard Int(largest) >= vocabularySize else { return nil }
            for i in 0 ..< count where Int(T(littleEndian: p[i])) >= vocabularySize { return (i, Int(T(littleEndian: p[i]))) }
            return nil
        }
        return tokenWidth == 2 ? scan(UInt16.self) : scan(UInt32.self)
    }

    /// Throws `tokenizerMismatch` unless the shard was made with the tokenizer of `fingerprint`.
    public func requireFingerprint(_ expected: UInt64) throws(TokenDataError) {
        guard expected == fingerprint else { throw .tokenizerMismatch(path: path, shard: fingerprint, expected: expected) }
    }

    /// Copies tokens `start ..< start + length` into `destination` ([length] Int32).
    public func copyTokens(from start: Int, count length: Int, into destination: UnsafeMutablePointer<Int32>) {
        precondition(start >= 0 && length >= 0 && start + length <= count,
                     "window \(start)..<\(start + length) outside a shard of \(count) tokens")
        if tokenWidth == 2 {
            let p = tokens.assumingMemoryBound(to: UInt16.self) + start
            for i in 0 ..< length { destination[i] = Int32(UInt16(littleEndian: p[i])) }
        } else {
            let p = tokens.assumingMemoryBound(to: UInt32.self) + start
            for i in 0 ..< length { destination[i] = Int32(bitPattern: UInt32(littleEndian: p[i])) }
        }
    }

    /// Tokens `range` as an array (tests, small reads).
    public func tokens(_ range: Range<Int>) -> [Int32] {
        guard !range.isEmpty else { return [] }
        return [Int32](unsafeUninitializedCapacity: range.count) { buffer, initialized in
            copyTokens(from: range.lowerBound, count: range.count, into: buffer.baseAddress!)
            initialized = range.count
        }
    }
}
